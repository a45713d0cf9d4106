"""A site's time zone, learnt from the dates its pages print with a zone.

An Indian site prints ``01:13 IST`` in one place and ``01:13 am`` in another, and its
other pages carry ``+05:30`` in their JSON-LD: a zone-less time on that site is read in
the zone its zoned times show, not in UTC. Each page's zoned times give the set of zones
whose offset at that instant is the one printed (``+05:30`` in December: Kolkata and
Colombo); a site's zone is the one that fits nearly all its evidence pages.

An offset of zero (``Z``, ``+00:00``, ``GMT``) is no evidence: many publishing systems
print every instant in UTC whatever the site's zone, so counting it would teach an Indian
site that it lives in London. Sites in UTC+0 zones learn from their summer offsets.

Plain functions and a small counter, no Scrapy: the workers compute the evidence (in
parallel), the ordered dates stage counts it and decides (in capture order, so the
records do not depend on the number of workers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from newsbot.dates.parse import at_offset, local_time
from newsbot.dates.zones import country_zones, get_zone

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, MutableMapping

    from newsbot.dates.parse import ParsedDate
    from newsbot.state import SiteZones

ZERO = timedelta(0)


@dataclass(frozen=True)
class ZoneFacts:
    """What a worker tells the dates stage about a page's zones (pickled across processes).

    ``learnable``: the dates were read in a guessed zone (the page's language and domain,
    or the default), neither the source's stated ``timezone`` nor the zone learnt from
    the site's earlier runs, so a zone learnt in this run may re-read the zone-less walls.
    """

    read_in: str | None  # the zone the worker read zone-less times in
    learnable: bool
    guess: str | None  # the zone the page's language and domain suggest
    evidence: tuple[str, ...] = ()  # zones fitting the page's printed offsets
    published_wall: str | None = None  # "YYYY-MM-DDTHH:MM" of a zone-less published time
    modified_wall: str | None = None
    shown_offset: int | None = None  # minutes: the offset the page's date line shows

    def local(self, published: str | None, zone: str | None) -> str | None:
        """`published` as the page's readers saw it: at the offset its date line shows,
        else in `zone`."""
        if self.shown_offset is not None:
            return at_offset(published, self.shown_offset)
        return local_time(published, zone)


def read_wall(wall: str, value: str, zone: str) -> str | None:
    """A zone-less printed wall time (with the seconds of its first reading `value`) read
    in `zone`, as UTC in `normalize_date`'s form."""
    tz = get_zone(zone)
    if tz is None:
        return None
    moment = datetime.strptime(wall, "%Y-%m-%dT%H:%M").replace(second=int(value[17:19]), tzinfo=tz)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_of(parsed: ParsedDate) -> tuple[datetime, timedelta] | None:
    """(instant, printed offset) of a value that printed its zone and a wall time."""
    if not parsed.zoned or parsed.wall is None or parsed.precision == "day":
        return None
    instant = datetime.strptime(parsed.value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    wall = datetime.strptime(parsed.wall, "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc)
    return instant, wall - instant.replace(second=0)


def evidence(values: Iterable[ParsedDate]) -> list[str]:
    """The zones that fit every non-zero printed offset of one page (sorted); [] when the
    page printed none, or offsets no one zone fits."""
    fitting: frozenset[str] | None = None
    for parsed in values:
        found = offset_of(parsed)
        if found is None or found[1] == ZERO:
            continue
        zones = fitting_zones(found[0].replace(minute=0, second=0), found[1])
        fitting = zones if fitting is None else fitting & zones
    return sorted(fitting or ())


@lru_cache(maxsize=4096)
def fitting_zones(instant: datetime, offset: timedelta) -> frozenset[str]:
    """The countries' main zones whose UTC offset at `instant` is `offset` (cached per
    hour: offsets change on the hour)."""
    return frozenset(
        name
        for name in _candidate_zones()
        if (zone := get_zone(name)) is not None and zone.utcoffset(instant) == offset
    )


@lru_cache(maxsize=1)
def _candidate_zones() -> tuple[str, ...]:
    return tuple(sorted(set(country_zones().values())))


def learnt_zone(
    pages: int,
    counts: Mapping[str, int],
    *,
    min_pages: int,
    agreement: float,
    prefer: str | None = None,
) -> str | None:
    """The zone that fits at least `agreement` of a site's `pages` evidence pages, once
    there are `min_pages`; None while the evidence is thin or split. Zones that fit
    equally (Kolkata and Colombo) are told apart by `prefer` (the zone the page's language
    and domain suggest), then by name, so the choice is stable."""
    if pages < min_pages or not counts:
        return None
    best = max(counts.values())
    if best < agreement * pages:
        return None
    tied = sorted(zone for zone, n in counts.items() if n == best)
    return prefer if prefer in tied else tied[0]


class ZoneLearner:
    """This run's evidence pages per site, and the re-reading of zone-less times in the
    zone they name. Fed in capture order by the dates stage; the archive stage asks again
    for the records it held back (a site's first pages, before its template and its zone
    were known), so a site's early pages are read like its later ones."""

    def __init__(self, *, min_pages: int, agreement: float, hold_pages: int) -> None:
        self.min_pages, self.agreement, self.hold_pages = min_pages, agreement, hold_pages
        self.seen: dict[str, int] = {}  # pages of each site, with evidence or not
        self.pages: dict[str, int] = {}  # evidence pages
        self.counts: dict[str, dict[str, int]] = {}

    def observe(self, site: str, zones: Collection[str]) -> None:
        """One page of a site, with the zones its printed offsets fit (maybe none)."""
        self.seen[site] = self.seen.get(site, 0) + 1
        if not zones:
            return
        self.pages[site] = self.pages.get(site, 0) + 1
        counts = self.counts.setdefault(site, {})
        for zone in set(zones):
            counts[zone] = counts.get(zone, 0) + 1

    def pending(self, site: str, facts: ZoneFacts) -> bool:
        """Whether a page's zone-less times should wait for its site's zone: it has some,
        no zone is learnt yet, and the site's first `hold_pages` pages are not all seen."""
        if not facts.learnable or not (facts.published_wall or facts.modified_wall):
            return False
        return self.learnt(site) is None and self.seen.get(site, 0) < self.hold_pages

    def learnt(self, site: str, prefer: str | None = None) -> str | None:
        return learnt_zone(
            self.pages.get(site, 0),
            self.counts.get(site, {}),
            min_pages=self.min_pages,
            agreement=self.agreement,
            prefer=prefer,
        )

    def reread(self, site: str, record: MutableMapping[str, Any], facts: ZoneFacts) -> str | None:
        """Re-read a record's zone-less times in the site's learnt zone; the zone its times
        are now read in (None: left as the worker read them)."""
        if not facts.learnable:
            return None
        zone = self.learnt(site, prefer=facts.guess)
        if zone is None or zone == facts.read_in:
            return None
        for kind, wall in (("published", facts.published_wall), ("modified", facts.modified_wall)):
            if wall and record.get(kind):
                record[kind] = read_wall(wall, record[kind], zone) or record[kind]
        record["published_local"] = facts.local(record.get("published"), zone)
        return zone


class EarlierRuns:
    """Each site's zone as the state knew it when this run first asked: read once per site
    and run, before this run's pages add to it, so it is the same for every page of the
    site in this run, and archived in their contexts for replays to read."""

    def __init__(self, store: SiteZones | None, *, min_pages: int, agreement: float) -> None:
        self.store, self.min_pages, self.agreement = store, min_pages, agreement
        self.known: dict[str, str | None] = {}

    def zone(self, site: str) -> str | None:
        if site not in self.known:
            pages, counts = self.store.counts(site) if self.store is not None else (0, {})
            self.known[site] = learnt_zone(
                pages, counts, min_pages=self.min_pages, agreement=self.agreement
            )
        return self.known[site]
