"""Server-side SVG charts of items searched, items grabbed and grab rate per day (no script,
accessible).

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says the totals in
words, bars for the items searched, narrower bars for the items grabbed inside them, and a
polyline for the grab rate on its own 0-100 % scale; every bar has its own `<title>` (a tooltip
and a screen-reader label). Both bars count items, never commands: one command may search ten
movies or a season's episodes, and the rate is the share of the items searched that were
grabbed (4 grabbed of one ten-movie command is 40 %, not 400 %), the same unit as the stats
API's `grab_rate`. The scales still stretch to the larger of the two should a grab ever be
counted without its item (rather than draw out of the box). The page puts a table of the same
numbers next to it, so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

__all__ = ["DayTotals", "bar_chart_svg", "grab_rate"]

_WIDTH = 600
_HEIGHT = 160
_TOP = 10
_BOTTOM = 20


@dataclass(frozen=True)
class DayTotals:
    """Items searched (by commands that left) and items grabbed on one day."""

    day: date
    searched: int
    grabbed: int

    @property
    def rate(self) -> float | None:
        return grab_rate(self.searched, self.grabbed)


def grab_rate(searched: int, grabbed: int) -> float | None:
    """Items grabbed per item searched, in percent; None without items searched (no rate, not
    0 %)."""
    return None if searched <= 0 else round(100.0 * grabbed / searched, 1)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart_svg(points: Sequence[DayTotals], *, chart_id: str, title: str) -> Markup:
    """The chart as markup safe to put in a template."""
    searched = sum(p.searched for p in points)
    grabbed = sum(p.grabbed for p in points)
    rate = grab_rate(searched, grabbed)
    rate_text = "no searches" if rate is None else f"grab rate {_num(rate)} %"
    desc = f"{len(points)} days: {searched} items searched, {grabbed} grabbed, {rate_text}."
    peak = max((max(p.searched, p.grabbed) for p in points), default=0) or 1
    rate_peak = max([100.0, *(p.rate for p in points if p.rate is not None)])
    plot = _HEIGHT - _TOP - _BOTTOM
    slot = _WIDTH / max(len(points), 1)
    bar = max(slot * 0.7, 1.0)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {_WIDTH} {_HEIGHT}"'
        f' aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"'
        ' preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<line class="chart-axis" x1="0" y1="{_HEIGHT - _BOTTOM}" x2="{_WIDTH}"'
        f' y2="{_HEIGHT - _BOTTOM}"/>',
    ]
    rate_points: list[str] = []
    for index, point in enumerate(points):
        x = index * slot + (slot - bar) / 2
        height = plot * point.searched / peak
        y = _HEIGHT - _BOTTOM - height
        label = f"{point.day.isoformat()}: {point.searched} items searched, {point.grabbed} grabbed"
        parts.append(
            f'<rect class="chart-searches" data-day="{point.day.isoformat()}"'
            f' data-value="{point.searched}" x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}"'
            f' height="{_num(height)}"><title>{escape(label)}</title></rect>'
        )
        grab_height = plot * point.grabbed / peak
        parts.append(
            f'<rect class="chart-grabs" data-day="{point.day.isoformat()}"'
            f' data-value="{point.grabbed}" x="{_num(x + bar / 4)}"'
            f' y="{_num(_HEIGHT - _BOTTOM - grab_height)}" width="{_num(bar / 2)}"'
            f' height="{_num(grab_height)}"/>'
        )
        if point.rate is not None:
            rate_y = _HEIGHT - _BOTTOM - plot * point.rate / rate_peak
            rate_points.append(f"{_num(x + bar / 2)},{_num(rate_y)}")
        if len(points) <= 7 or (len(points) - 1 - index) % 5 == 0:
            parts.append(
                f'<text class="chart-label" x="{_num(x + bar / 2)}" y="{_HEIGHT - 5}"'
                f' text-anchor="middle">{point.day.strftime("%d %b")}</text>'
            )
    if len(rate_points) > 1:
        parts.append(f'<polyline class="chart-rate" points="{" ".join(rate_points)}"/>')
    parts.append("</svg>")
    # Every interpolated text went through escape() or is a number this function formatted.
    return Markup("".join(parts))  # noqa: S704
