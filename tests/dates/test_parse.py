"""normalize_date / parse_date on date strings as news sites print them.

Expected values are worked out by hand: the site's local time minus its UTC offset on that
date (winter: IST +05:30, GMT 0, CET +1, EST -5, AEDT +11, BRT -3; summer: BST +1, CEST +2,
EDT -4, IDT +3, AEST +10).
"""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbot.dates.parse import ParsedDate, normalize_date, parse_date

NOW = datetime(2025, 12, 16, 10, 30, 45, tzinfo=timezone.utc)
KOLKATA, LONDON, DUBLIN = "Asia/Kolkata", "Europe/London", "Europe/Dublin"
JERUSALEM, NEW_YORK, CHICAGO = "Asia/Jerusalem", "America/New_York", "America/Chicago"
PARIS, BERLIN, MADRID, ROME = "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome"
SAO_PAULO, LISBON, TOKYO = "America/Sao_Paulo", "Europe/Lisbon", "Asia/Tokyo"
SHANGHAI, SYDNEY = "Asia/Shanghai", "Australia/Sydney"

INDIA = [
    # the seed page: 01:13 IST on the 16th is 19:43 UTC on the 15th
    ("December 16, 2025 / 01:13 IST", KOLKATA, "2025-12-15T19:43:00Z"),
    ("first published: Dec 16, 2025 01:13 am", KOLKATA, "2025-12-15T19:43:00Z"),
    ("Updated: Dec 16, 2025, 01:13 IST", KOLKATA, "2025-12-15T19:43:00Z"),
    ("Updated on: Dec 16, 2025 01:13 am IST", KOLKATA, "2025-12-15T19:43:00Z"),
    ("Updated: December 16, 2025 1:13 pm IST", KOLKATA, "2025-12-16T07:43:00Z"),
    ("Published - December 16, 2025 01:13 am IST", KOLKATA, "2025-12-15T19:43:00Z"),
    ("Last Updated: Dec 16, 2025, 01:13:00 PM IST", KOLKATA, "2025-12-16T07:43:00Z"),
    ("Posted On: 16 DEC 2025 1:13PM by PIB Delhi", KOLKATA, "2025-12-16T07:43:00Z"),
    ("16 Dec 2025, 01:13 PM IST", KOLKATA, "2025-12-16T07:43:00Z"),
    ("First Published: Dec 16 2025 | 1:13 PM IST", KOLKATA, "2025-12-16T07:43:00Z"),
    ("Last Updated : Dec 16 2025 | 1:13 AM IST", None, "2025-12-15T19:43:00Z"),  # IST alone: India
    ("1313 hrs IST, 16 Dec 2025", KOLKATA, "2025-12-16T07:43:00Z"),  # military time
    ("प्रकाशित: मंगलवार, 16 दिसंबर 2025 01:13 PM (IST)", KOLKATA, "2025-12-16T07:43:00Z"),
    ("अपडेटेड Tue, 16 Dec 2025 01:13 PM IST", KOLKATA, "2025-12-16T07:43:00Z"),
    ("१६ दिसम्बर २०२५", KOLKATA, "2025-12-16"),  # Devanagari digits
    ("16 दिसंबर 2025", KOLKATA, "2025-12-16"),
]
UK_IRELAND = [
    ("16 December 2025", LONDON, "2025-12-16"),
    ("Published 16 December 2025", LONDON, "2025-12-16"),
    ("Tue 16 Dec 2025 01.13 GMT", LONDON, "2025-12-16T01:13:00Z"),
    ("Wed 16 Jul 2025 14.05 BST", LONDON, "2025-07-16T13:05:00Z"),  # weekday is wrong: ignored
    ("Last modified on Tue 16 Dec 2025 09.40 GMT", LONDON, "2025-12-16T09:40:00Z"),
    ("16 December 2025 • 1:13pm", LONDON, "2025-12-16T13:13:00Z"),
    ("16 July 2025 • 1:13pm", LONDON, "2025-07-16T12:13:00Z"),  # London wall time in July: BST
    ("Tuesday 16 December 2025 13:13, UK", LONDON, "2025-12-16T13:13:00Z"),
    # the time nearest the first date, not the one of "Updated"
    (
        "Published: 01:13 GMT, 16 December 2025 | Updated: 09:40 GMT, 16 December 2025",
        LONDON,
        "2025-12-16T01:13:00Z",
    ),
    ("December 16, 2025 1:13 AM GMT+5:30", LONDON, "2025-12-15T19:43:00Z"),  # Reuters, viewer zone
    ("Tue Dec 16 2025 - 01:13", DUBLIN, "2025-12-16T01:13:00Z"),
    ("Wed Jul 16 2025 - 13:13", DUBLIN, "2025-07-16T12:13:00Z"),
    ("Updated / Tuesday, 16 Dec 2025 01:13", DUBLIN, "2025-12-16T01:13:00Z"),
    # IST on an Irish site is Irish Standard Time (+01:00 in summer) ...
    ("16 July 2025 01:13 IST", DUBLIN, "2025-07-16T00:13:00Z"),
    # ... and Dublin wall time when misused in winter (GMT)
    ("16 December 2025 01:13 IST", DUBLIN, "2025-12-16T01:13:00Z"),
]
ISRAEL = [
    ("16 December 2025, 1:13 am", JERUSALEM, "2025-12-15T23:13:00Z"),
    ("Dec 16, 2025 1:13 am IST", JERUSALEM, "2025-12-15T23:13:00Z"),  # Israel Standard Time +2
    ("DECEMBER 16, 2025 01:13", JERUSALEM, "2025-12-15T23:13:00Z"),
    ("12.16.25 | 01:13", JERUSALEM, "2025-12-15T23:13:00Z"),  # Ynet prints month first: 16 > 12
    ("16 July 2025, 1:13 pm", JERUSALEM, "2025-07-16T10:13:00Z"),  # IDT +3
    ("Jul 16, 2025 1:13 pm IDT", None, "2025-07-16T10:13:00Z"),
]
US_CANADA = [
    ("Dec. 16, 2025, 1:13 a.m. ET", NEW_YORK, "2025-12-16T06:13:00Z"),
    ("July 16, 2025, 1:13 p.m. ET", NEW_YORK, "2025-07-16T17:13:00Z"),  # ET in July is EDT
    ("Jan 5, 2025 10:00 AM ET", None, "2025-01-05T15:00:00Z"),
    ("Jul 5, 2025 10:00 AM ET", None, "2025-07-05T14:00:00Z"),
    ("Updated 1:13 AM EST, Tue December 16, 2025", NEW_YORK, "2025-12-16T06:13:00Z"),
    ("December 16, 2025 at 1:13 a.m. EST", NEW_YORK, "2025-12-16T06:13:00Z"),
    ("Updated July 16, 2025 at 5:40 p.m. EDT", NEW_YORK, "2025-07-16T21:40:00Z"),
    ("Published December 16, 2025 1:13am EST", NEW_YORK, "2025-12-16T06:13:00Z"),
    ("Updated 1:13 AM PST, December 16, 2025", "America/Los_Angeles", "2025-12-16T09:13:00Z"),
    ("Dec. 16, 2025 5 AM PT", "America/Los_Angeles", "2025-12-16T13:00:00Z"),
    ("Dec. 16, 2025 at 5 p.m. PT", None, "2025-12-17T01:00:00Z"),
    ("December 16, 2025 at 1:13 AM CST", CHICAGO, "2025-12-16T07:13:00Z"),
    ("July 16, 2025 at 1:13 PM CDT", CHICAGO, "2025-07-16T18:13:00Z"),
    ("December 16, 2025 at 1:13 p.m. MST", "America/Denver", "2025-12-16T20:13:00Z"),
    # Arizona keeps MST in July (-7); MST elsewhere in July would follow Denver (MDT -6)
    ("Published 1:13 p.m. MST July 16, 2025", "America/Phoenix", "2025-07-16T20:13:00Z"),
    ("Published 5:03 a.m. ET Dec. 16, 2025", NEW_YORK, "2025-12-16T10:03:00Z"),
    ("12/16/2025", NEW_YORK, "2025-12-16"),
    ("03/04/2025", NEW_YORK, "2025-03-04"),  # month first in the US
    ("03/04/2025 10:30 AM", NEW_YORK, "2025-03-04T15:30:00Z"),
    ("Posted: Dec 16, 2025 1:13 PM EST", "America/Toronto", "2025-12-16T18:13:00Z"),
    ("December 16, 2025 at 1:13 AM GMT+5:30", NEW_YORK, "2025-12-15T19:43:00Z"),
]
CHINA_JAPAN_KOREA = [
    ("Dec 16, 2025 10:00 CST", CHICAGO, "2025-12-16T16:00:00Z"),  # US Central, -6
    ("Dec 16, 2025 10:00 CST", SHANGHAI, "2025-12-16T02:00:00Z"),  # China Standard Time, +8
    ("Dec 16, 2025 10:00 CST", "Asia/Taipei", "2025-12-16T02:00:00Z"),
    ("Dec 16, 2025 10:00 CST", None, "2025-12-16T16:00:00Z"),
    ("Updated: 2025-12-16 10:13", SHANGHAI, "2025-12-16T02:13:00Z"),
    ("2025-12-16 10:13:45", SHANGHAI, "2025-12-16T02:13:45Z"),
    ("Published: Dec 16, 2025 10:13 AM", SHANGHAI, "2025-12-16T02:13:00Z"),
    ("2025年12月16日 10:13", SHANGHAI, "2025-12-16T02:13:00Z"),
    ("发布时间：2025-12-16 10:13:45", SHANGHAI, "2025-12-16T02:13:45Z"),
    ("Published: 1:13am, 16 Dec 2025", "Asia/Hong_Kong", "2025-12-15T17:13:00Z"),
    ("2025年12月16日 10時13分", TOKYO, "2025-12-16T01:13:00Z"),
    ("2025年12月16日 5:00", TOKYO, "2025-12-15T20:00:00Z"),
    ("2025年12月16日 午後1時13分", TOKYO, "2025-12-16T04:13:00Z"),  # 午後 = pm
    ("Dec 16, 2025 | 01:13 JST", None, "2025-12-15T16:13:00Z"),
    ("2025.12.16 13:13", "Asia/Seoul", "2025-12-16T04:13:00Z"),
    ("입력 2025.12.16. 오후 1:13", "Asia/Seoul", "2025-12-16T04:13:00Z"),  # 오후 = pm
]
AUSTRALIA = [
    ("Posted Tue 16 Dec 2025 at 1:13am", SYDNEY, "2025-12-15T14:13:00Z"),  # AEDT +11
    ("December 16, 2025 — 1.13pm", SYDNEY, "2025-12-16T02:13:00Z"),
    ("Tue 16 Dec 2025 13.13 AEDT", None, "2025-12-16T02:13:00Z"),
    ("December 16, 2025 - 1:13PM", SYDNEY, "2025-12-16T02:13:00Z"),
    ("16 July 2025 1:13pm AEST", SYDNEY, "2025-07-16T03:13:00Z"),
]
FRANCE = [
    ("Publié le 16 décembre 2025 à 01h13", PARIS, "2025-12-16T00:13:00Z"),
    ("Mis à jour le 16 juillet 2025 à 13h13", PARIS, "2025-07-16T11:13:00Z"),  # CEST +2
    ("Publié le 16/12/2025 à 01:13", PARIS, "2025-12-16T00:13:00Z"),
    ("publié le 16 décembre 2025 à 13h13", PARIS, "2025-12-16T12:13:00Z"),
    ("Publié le 16/12/25 à 13h13", PARIS, "2025-12-16T12:13:00Z"),
    ("Publié le : 16/12/2025 - 13:13", PARIS, "2025-12-16T12:13:00Z"),
    ("Publié le 1er décembre 2025", PARIS, "2025-12-01"),
    ("16 déc. 2025 à 13h13", PARIS, "2025-12-16T12:13:00Z"),
    ("03/04/2025", PARIS, "2025-04-03"),  # day first in France
]
GERMANY = [
    ("16.12.2025, 13.13 Uhr", BERLIN, "2025-12-16T12:13:00Z"),
    ("Aktualisiert am 16.12.2025 - 13:13", BERLIN, "2025-12-16T12:13:00Z"),
    ("16. Dezember 2025, 13:13 Uhr", BERLIN, "2025-12-16T12:13:00Z"),
    ("16. Dezember 2025 | Lesezeit: 3 Min.", BERLIN, "2025-12-16"),
    ("Stand: 16.12.2025 13:13 Uhr", BERLIN, "2025-12-16T12:13:00Z"),
    ("Stand: 16.07.2025 13:13 Uhr", BERLIN, "2025-07-16T11:13:00Z"),
    ("Veröffentlicht am 16.12.2025", BERLIN, "2025-12-16"),
    ("Veröffentlicht am 16.12.2025 um 10:30 Uhr", BERLIN, "2025-12-16T09:30:00Z"),
    ("15:30 am 16.12.2025", BERLIN, "2025-12-16T14:30:00Z"),  # German "am", not a.m.
    ("16. März 2025, 08:00 Uhr", "Europe/Vienna", "2025-03-16T07:00:00Z"),
]
SPAIN_ITALY = [
    ("16 dic 2025 - 13:13 CET", MADRID, "2025-12-16T12:13:00Z"),
    ("Actualizado: 16 jul 2025 - 13:13 CEST", MADRID, "2025-07-16T11:13:00Z"),
    ("Actualizado Martes, 16 diciembre 2025 - 13:13", MADRID, "2025-12-16T12:13:00Z"),
    ("16/12/2025 a las 13:13h.", MADRID, "2025-12-16T12:13:00Z"),
    ("16.12.2025 | 13:13 horas", MADRID, "2025-12-16T12:13:00Z"),
    ("16 de diciembre de 2025, 13:13", MADRID, "2025-12-16T12:13:00Z"),
    ("Actualizado 16/12/2025 - 10:30 CET", MADRID, "2025-12-16T09:30:00Z"),
    ("16 de diciembre de 2025, 13:13", "America/Mexico_City", "2025-12-16T19:13:00Z"),  # -6
    # the time belongs to the second date: the first has none
    ("16 dicembre 2025 (modifica il 17 dicembre 2025 | 13:13)", ROME, "2025-12-16"),
    ("16 dicembre 2025, 13:13", ROME, "2025-12-16T12:13:00Z"),
    ("Aggiornato il 16 dicembre 2025 alle 13:13", ROME, "2025-12-16T12:13:00Z"),
    ("Pubblicato il: 16/12/2025 – 13:13", ROME, "2025-12-16T12:13:00Z"),
    ("16 luglio 2025 ore 13.13", ROME, "2025-07-16T11:13:00Z"),
    ("3 ago 2025", ROME, "2025-08-03"),
]
BRAZIL_PORTUGAL = [
    ("16/12/2025 13h13", SAO_PAULO, "2025-12-16T16:13:00Z"),  # BRT -3, no DST since 2019
    ("Atualizado em 16/12/2025 13h13", SAO_PAULO, "2025-12-16T16:13:00Z"),
    ("16.dez.2025 às 13h13", SAO_PAULO, "2025-12-16T16:13:00Z"),
    ("16/12/2025 13h13 Atualizado há 2 horas", SAO_PAULO, "2025-12-16T16:13:00Z"),
    ("16 de dezembro de 2025 | 13h13", SAO_PAULO, "2025-12-16T16:13:00Z"),
    ("16 de Dezembro de 2025, 13:13", LISBON, "2025-12-16T13:13:00Z"),  # WET = UTC
    ("16 de julho de 2025, 13:13", LISBON, "2025-07-16T12:13:00Z"),  # WEST +1
    ("16 dezembro 2025 13:13", LISBON, "2025-12-16T13:13:00Z"),
]
ELSEWHERE = [
    ("December 16, 2025 - 1:13 PM", "Asia/Manila", "2025-12-16T05:13:00Z"),
    ("12/03/2025", "Asia/Manila", "2025-12-03"),  # month first in the Philippines
    ("Dec 16, 2025 01:13 PM PST", "Asia/Manila", "2025-12-16T05:13:00Z"),  # Philippine ST
    ("Dec 16, 2025, 01:13 PM", "Asia/Singapore", "2025-12-16T05:13:00Z"),
    ("Published December 16, 2025 Updated about 2 hours ago", "Asia/Karachi", "2025-12-16"),
    ("16 December 2025 - 13:13", "Africa/Johannesburg", "2025-12-16T11:13:00Z"),
    ("16 декабря 2025 13:13", "Europe/Moscow", "2025-12-16T10:13:00Z"),  # via dateparser
    ("16 december 2025 13:13", "Europe/Amsterdam", "2025-12-16T12:13:00Z"),
    ("Dec 16, 2025 01:13 PM BST", "Asia/Dhaka", "2025-12-16T07:13:00Z"),  # Bangladesh +6
]
MACHINE_FORMATS = [
    ("2025-12-16T01:13:00+05:30", None, "2025-12-15T19:43:00Z"),
    ("2025-12-16T01:13:00.000Z", None, "2025-12-16T01:13:00Z"),
    ("2025-12-16T01:13:00.123456+0530", None, "2025-12-15T19:43:00Z"),
    ("2025-12-16T01:13:00-05:00", KOLKATA, "2025-12-16T06:13:00Z"),  # the offset beats tz
    ("2025-12-16T01:13:00", None, "2025-12-16T01:13:00Z"),  # naive, no tz: UTC
    ("2025-12-16T01:13:00", KOLKATA, "2025-12-15T19:43:00Z"),
    ("2025-12-16 01:13:00", NEW_YORK, "2025-12-16T06:13:00Z"),
    ("2025-12-16T01:13Z", None, "2025-12-16T01:13:00Z"),
    ("2025-12-16 01:13:00 UTC", None, "2025-12-16T01:13:00Z"),
    ("2025-12-16", KOLKATA, "2025-12-16"),
    ("2025/12/16", None, "2025-12-16"),
    ("Published: 2025-12-16T01:13:00Z", None, "2025-12-16T01:13:00Z"),
    ("Tue, 16 Dec 2025 01:13:00 +0530", None, "2025-12-15T19:43:00Z"),
    ("Tue, 16 Dec 2025 01:13:00 GMT", None, "2025-12-16T01:13:00Z"),
    ("Tue, 16 Dec 2025 01:13:00 EST", None, "2025-12-16T06:13:00Z"),
    ("Wed, 16 Jul 2025 01:13:00 EST", None, "2025-07-16T05:13:00Z"),  # EST follows DST
    ("16 Dec 2025 01:13:00 -0000", None, "2025-12-16T01:13:00Z"),
    ("Tue, 16 Dec 2025 01:13:00 IST", None, "2025-12-15T19:43:00Z"),
    ("Tue Dec 16 2025 01:13:00 GMT+0530 (India Standard Time)", None, "2025-12-15T19:43:00Z"),
    ("Tue Jul 15 2025 21:43:00 GMT-0400 (Eastern Daylight Time)", None, "2025-07-16T01:43:00Z"),
    ("1765827780", None, "2025-12-15T19:43:00Z"),
    ("1765827780123", None, "2025-12-15T19:43:00Z"),
    ("20251216T011300Z", None, "2025-12-16T01:13:00Z"),  # ISO 8601 basic format
    ("20251216", None, "2025-12-16"),
    ("2024-02-29", None, "2024-02-29"),
]
INVALID = [
    "31 February 2025",
    "2025-13-01",
    "2025-02-29",
    "30/02/2025",
    "Dec 32, 2025",
    "2025-12-16T25:00:00Z",
    "1969-12-31",
    "2101-01-01",
    "0000-00-00",
    "1.2.3",
    "",
    "   ",
    "N/A",
    "not a date",
    "12345",
    "Page 2 of 3",
    "2025",
    "December 2025",
    "9876543210",
    "0000000000",
    "12345678",
    "Copyright 1850 Daily News",
    "x" * 10_000,
    "December 16, 2025 " * 50,
]
ALL = (
    INDIA
    + UK_IRELAND
    + ISRAEL
    + US_CANADA
    + CHINA_JAPAN_KOREA
    + AUSTRALIA
    + FRANCE
    + GERMANY
    + SPAIN_ITALY
    + BRAZIL_PORTUGAL
    + ELSEWHERE
    + MACHINE_FORMATS
)


@pytest.mark.parametrize(("text", "tz", "expected"), ALL)
def test_real_world_strings(text: str, tz: str | None, expected: str) -> None:
    assert normalize_date(text, tz=tz, now=NOW) == expected


@pytest.mark.parametrize("text", INVALID)
def test_no_date(text: str) -> None:
    assert normalize_date(text, tz=KOLKATA, now=NOW) is None


@pytest.mark.parametrize("value", [None, 123, 1.5, b"2025-12-16", ["2025-12-16"], object()])
def test_non_strings(value: object) -> None:
    assert normalize_date(value, now=NOW) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2 hours ago", KOLKATA, "2025-12-16T08:30:00Z"),
        ("Updated 2 hours ago", None, "2025-12-16T08:30:00Z"),
        ("an hour ago", None, "2025-12-16T09:30:00Z"),
        ("il y a 3 heures", PARIS, "2025-12-16T07:30:00Z"),
        ("Publié il y a une heure", PARIS, "2025-12-16T09:30:00Z"),
        ("vor 2 Stunden", BERLIN, "2025-12-16T08:30:00Z"),
        ("hace 3 horas", MADRID, "2025-12-16T07:30:00Z"),
        ("3 ore fa", ROME, "2025-12-16T07:30:00Z"),
        ("há 2 horas", SAO_PAULO, "2025-12-16T08:30:00Z"),
        ("2 घंटे पहले", KOLKATA, "2025-12-16T08:30:00Z"),
        # 16:00 in Kolkata on the 16th: yesterday is the 15th, 10:30 IST is 05:00 UTC
        ("yesterday at 10:30", KOLKATA, "2025-12-15T05:00:00Z"),
        ("Yesterday", KOLKATA, "2025-12-15"),
        ("Yesterday, 10:30 PM", None, "2025-12-15T22:30:00Z"),
        ("Aktualisiert: heute, 13:13 Uhr", BERLIN, "2025-12-16T12:13:00Z"),
        ("hier à 18h05", PARIS, "2025-12-15T17:05:00Z"),
        ("today", "Pacific/Kiritimati", "2025-12-17"),  # 10:30 UTC is past midnight at +14
        ("3 days ago", None, "2025-12-13"),
    ],
)
def test_relative(text: str, tz: str | None, expected: str) -> None:
    assert normalize_date(text, tz=tz, now=NOW) == expected


def test_relative_without_now_uses_the_clock() -> None:
    value = normalize_date("2 hours ago")
    expected = datetime.now(timezone.utc) - timedelta(hours=2)
    assert value is not None
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(moment - expected) < timedelta(minutes=2)


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("2025-12-16", "day"),
        ("December 16, 2025 / 01:13 IST", "minute"),
        ("2025-12-16T01:13:00+05:30", "second"),
        ("Tue, 16 Dec 2025 01:13:00 GMT", "second"),
        ("1765827780", "second"),
        ("2 hours ago", "minute"),
        ("3 days ago", "day"),
    ],
)
def test_precision(text: str, precision: str) -> None:
    parsed = parse_date(text, tz=KOLKATA, now=NOW)
    assert parsed is not None
    assert parsed.precision == precision
    assert parsed.raw == text
    assert parsed.value == normalize_date(text, tz=KOLKATA, now=NOW)


def test_parsed_date_is_frozen() -> None:
    parsed = ParsedDate("2025-12-16", "day", "16 Dec 2025")
    with pytest.raises(AttributeError):
        parsed.value = "2025-12-17"  # type: ignore[misc]


def test_unknown_zone_name_is_utc() -> None:
    assert normalize_date("2025-12-16 01:13", tz="Mars/Olympus") == "2025-12-16T01:13:00Z"


@given(st.text(max_size=400))
@settings(max_examples=400, deadline=None)
def test_never_raises(text: str) -> None:
    result = normalize_date(text, tz=KOLKATA, now=NOW)
    assert result is None or isinstance(result, str)


OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59), timezones=OFFSETS
)


def _offset_text(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _utc(moment: datetime, *, seconds: bool) -> str:
    if not seconds:
        moment = moment.replace(second=0)
    return moment.replace(microsecond=0).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@given(MOMENTS, st.sampled_from([None, KOLKATA, NEW_YORK]))
@settings(max_examples=300, deadline=None)
def test_rendered_instants_round_trip(moment: datetime, tz: str | None) -> None:
    """Whatever the site's zone, an explicit offset decides the instant."""
    assert normalize_date(moment.isoformat(), tz=tz) == _utc(moment, seconds=True)
    rfc2822 = email.utils.format_datetime(moment.replace(microsecond=0))
    assert normalize_date(rfc2822, tz=tz) == _utc(moment, seconds=True)
    printed = f"{moment:%B} {moment.day}, {moment.year} / {moment:%H:%M} {_offset_text(moment)}"
    assert normalize_date(printed, tz=tz) == _utc(moment, seconds=False)


def test_local_time_is_the_same_instant_in_the_site_zone() -> None:
    from newsbot.dates.parse import local_time

    assert local_time("2025-12-15T19:43:00Z", "Asia/Kolkata") == "2025-12-16T01:13:00+05:30"
    assert local_time("2023-11-09T03:28:35Z", "America/New_York") == "2023-11-08T22:28:35-05:00"
    assert local_time("2025-12-16", "Asia/Kolkata") == "2025-12-16"  # a day is the printed day
    assert local_time("2025-12-15T19:43:00Z", None) is None
    assert local_time(None, "Asia/Kolkata") is None


def test_a_day_word_inside_a_sentence_is_no_date() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert parse_date("1 Arduino (hier Arduino Nano)", tz="Europe/Berlin", now=now) is None
    assert parse_date("Publié hier", tz="Europe/Paris", now=now).value == "2026-11-30"
    assert parse_date("hier à 14h30", tz="Europe/Paris", now=now).value == "2026-11-30T13:30:00Z"
