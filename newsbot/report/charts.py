"""The report's charts: matplotlib drawn to inline SVG.

Why matplotlib: it is a well-kept, pure offline renderer already on most analysts'
machines, its SVG needs no script to display (so the report prints, and opens in any
browser with scripts off), and with `svg.fonttype = none` text stays text (small,
searchable). vl-convert-python would add a 100 MB Deno/V8 binary for the same static SVG.
Palette: Okabe-Ito (colour-blind safe). Small multiples (one panel per outlet, shared
axes) rather than one crowded plot, so 20 outlets stay readable.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # no display; before pyplot is imported
import matplotlib.pyplot as plt
from matplotlib import dates as _dates
from matplotlib import rcsetup

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from newsbot.report.tables import Outlet

mdates: Any = _dates  # matplotlib.dates has no annotations (mypy --strict)
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Any: matplotlib types rc keys as a Literal union a plain dict literal does not match
STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "newsbot",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": rcsetup.cycler(color=OKABE_ITO),
}
_HEADER = re.compile(r"^.*?(?=<svg)", re.S)


def to_svg(fig: Figure) -> str:
    """The figure as an <svg> element (no XML prolog, no doctype), ready to inline."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return _HEADER.sub("", out.getvalue(), count=1)


def runs_chart(rows: list[dict[str, Any]]) -> str:
    """Pages fetched, articles, duplicates and undated articles of each run, on a time axis
    (lines with a marker per run: readable for 2 runs or 200)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 2.6))
        shown = [r for r in rows if "pages" in r]
        when = [r["started"].replace(tzinfo=None) for r in shown]
        for label, key, marker in (
            ("pages fetched", "pages", "o"),
            ("articles", "articles", "s"),
            ("duplicates", "duplicates", "^"),
            ("undated", "undated", "x"),
        ):
            ax.plot(
                when, [r[key] for r in shown], marker=marker, markersize=3, linewidth=1, label=label
            )
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set(
            title="Each run: pages fetched, articles, duplicates, undated",
            xlabel="run start (UTC)",
            ylabel="count (pages or records)",
        )
        ax.set_ylim(bottom=0)
        if when and (max(when) - min(when)) < timedelta(days=1):  # one run: a day around it
            ax.set_xlim(min(when) - timedelta(hours=12), max(when) + timedelta(hours=12))
        ax.legend(ncols=4, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.3))
        return to_svg(fig)


def _grid(count: int, cols: int) -> tuple[int, int]:
    return max(1, math.ceil(count / cols)), min(cols, max(count, 1))


def timeline_chart(outlets: list[Outlet]) -> str:
    """Articles per publication day (UTC), one panel per outlet, on one shared day axis."""
    days = sorted({d for o in outlets for d in o.per_day})
    first, last = (
        (date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
        if days
        else (date.today(), date.today())
    )
    axis = [first + timedelta(n) for n in range((last - first).days + 1)]
    edges = [float(mdates.date2num(first)) - 0.5 + n for n in range(len(axis) + 1)]
    rows, cols = _grid(len(outlets), 2)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, cols, figsize=(7.5, 0.2 + 1.1 * rows), sharex=True, squeeze=False
        )
        for ax, outlet in zip(axes.flat, outlets):
            # one filled step patch per panel: a Rectangle per bar cost seconds at 20 x 60
            ax.stairs(
                [outlet.per_day.get(d.isoformat(), 0) for d in axis],
                edges,
                fill=True,
                color=OKABE_ITO[0],
            )
            ax.xaxis_date()
            ax.set_title(outlet.name, fontsize=8, loc="left")
            ax.set_ylabel("articles")
        for ax in axes.flat[len(outlets) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("publication day (UTC)")
            ax.tick_params(axis="x", labelrotation=30)
        fig.suptitle("Articles per day, by outlet", x=0.01, ha="left")
        fig.tight_layout()
        return to_svg(fig)


def hours_chart(outlets: list[Outlet]) -> str:
    """Publication hour of day in UTC (bars) and in the site's zone (line), one panel per outlet.

    A page printed in one zone and read in another shows as two peaks a fixed number of
    hours apart; a zone bug shows as a local peak at an hour nobody publishes (3 a.m.)."""
    rows, cols = _grid(len(outlets), 2)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, cols, figsize=(7.5, 0.4 + 1.2 * rows), sharex=True, squeeze=False
        )
        for ax, outlet in zip(axes.flat, outlets):
            ax.stairs(
                outlet.hours_utc,
                [h - 0.5 for h in range(25)],
                fill=True,
                color=OKABE_ITO[4],
                label="UTC",
            )
            ax.step(
                range(24),
                outlet.hours_local,
                where="mid",
                color=OKABE_ITO[5],
                label="in the site's zone",
            )
            ax.set_title(f"{outlet.name} ({outlet.zone or 'zone unknown'})", fontsize=8, loc="left")
            ax.set_ylabel("articles")
            ax.set_xticks(range(0, 24, 3))
        for ax in axes.flat[len(outlets) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("hour of day published (0-23)")
        fig.suptitle("Publication hour: UTC and the site's own zone", x=0.01, ha="left")
        fig.tight_layout()
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, ncols=2, frameon=False, loc="upper right")
        return to_svg(fig)
