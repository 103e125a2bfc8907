"""Charts as server-rendered SVG: no script, no asset, a few hundred bytes each.

Every chart scales to its container (a viewBox, no fixed width), names itself for screen
readers (role="img", <title>) and is meant to sit beside the table of the same figures,
which stays the accessible and exact version. Colours come from the design system's CSS
variables, so a chart follows the page's palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Palette by CSS variable with a fallback for SVG viewers outside the page (tests, exports).
SERIES_COLOURS = (
    "var(--chart-1, #1b6e4f)",
    "var(--chart-2, #c9822b)",
    "var(--chart-3, #3f6fb0)",
    "var(--chart-4, #a34a6b)",
    "var(--chart-5, #6b7a2f)",
)
LABEL_STYLE = 'font-size="12" fill="currentColor"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True)
class BarGroup:
    """One category with one value per series (e.g. budget and realisation)."""

    label: str
    values: Sequence[float]


@dataclass(frozen=True)
class PyramidRow:
    label: str  # age group, e.g. "20-24"
    male: int
    female: int


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[date, float]]


def _number(value: float) -> str:
    """12.345 in Indonesian grouping for labels; charts show whole numbers."""
    return f"{round(value):,}".replace(",", ".")


def _svg(title: str, width: int, height: int, body: list[str]) -> SafeString:
    # Every text that reaches ``body`` went through escape(); the rest are numbers.
    return mark_safe(  # noqa: S308
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(names: Sequence[str], y: int) -> list[str]:
    parts = []
    x = 0
    for index, name in enumerate(names):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" {LABEL_STYLE}>{escape(name)}</text>')
        x += 24 + 8 * len(name)
    return parts


def bar_chart(bars: Sequence[Bar], *, title: str, label_width: int = 120) -> SafeString:
    """Horizontal bars, one per label, value printed at the end of each bar."""
    row, width = 22, 360
    plot = width - label_width - 60
    top = max((bar.value for bar in bars), default=0) or 1
    body = []
    for index, bar in enumerate(bars):
        y = index * row
        length = max(0.0, bar.value) / top * plot
        body.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" {LABEL_STYLE}>'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="14" '
            f'fill="{SERIES_COLOURS[0]}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}" {LABEL_STYLE}>'
            f"{_number(bar.value)}</text>"
        )
    return _svg(title, width, max(row, len(bars) * row), body)


def grouped_bar_chart(
    groups: Sequence[BarGroup], *, series: Sequence[str], title: str, label_width: int = 120
) -> SafeString:
    """Horizontal bars per category, one bar per series (budget vs realisation)."""
    bar_height, gap, width = 12, 10, 360
    plot = width - label_width - 70
    top = max((value for group in groups for value in group.values), default=0) or 1
    group_height = bar_height * len(series) + gap
    body = []
    for index, group in enumerate(groups):
        y = index * group_height
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar_height}" text-anchor="end" {LABEL_STYLE}>'
            f"{escape(group.label)}</text>"
        )
        for position, value in enumerate(group.values):
            length = max(0.0, value) / top * plot
            bar_y = y + position * bar_height
            colour = SERIES_COLOURS[position % len(SERIES_COLOURS)]
            body.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{length:.1f}" '
                f'height="{bar_height - 2}" fill="{colour}"/>'
                f'<text x="{label_width + length + 4:.1f}" y="{bar_y + 10}" font-size="10" '
                f'fill="currentColor">{_number(value)}</text>'
            )
    legend_y = len(groups) * group_height + 4
    body += _legend(series, legend_y)
    return _svg(title, width, legend_y + 16, body)


def population_pyramid(
    rows: Sequence[PyramidRow], *, title: str, male: str, female: str
) -> SafeString:
    """Age groups bottom (youngest) to top (oldest); men left, women right.

    ``rows`` come youngest first, as statistics lists them.
    """
    row, width, middle_gap = 16, 360, 44
    half = (width - middle_gap) / 2
    top = max((max(r.male, r.female) for r in rows), default=0) or 1
    height = len(rows) * row
    body = []
    for index, pyramid_row in enumerate(rows):
        y = height - (index + 1) * row
        left = pyramid_row.male / top * (half - 30)
        right = pyramid_row.female / top * (half - 30)
        centre_left, centre_right = half, half + middle_gap
        body.append(
            f'<rect x="{centre_left - left:.1f}" y="{y + 2}" width="{left:.1f}" height="{row - 3}" '
            f'fill="{SERIES_COLOURS[2]}"><title>{escape(male)} {escape(pyramid_row.label)}: '
            f"{pyramid_row.male}</title></rect>"
            f'<rect x="{centre_right}" y="{y + 2}" width="{right:.1f}" height="{row - 3}" '
            f'fill="{SERIES_COLOURS[3]}"><title>{escape(female)} {escape(pyramid_row.label)}: '
            f"{pyramid_row.female}</title></rect>"
            f'<text x="{half + middle_gap / 2}" y="{y + 12}" text-anchor="middle" font-size="10" '
            f'fill="currentColor">{escape(pyramid_row.label)}</text>'
            f'<text x="{centre_left - left - 3:.1f}" y="{y + 12}" text-anchor="end" '
            f'font-size="10" fill="currentColor">{pyramid_row.male or ""}</text>'
            f'<text x="{centre_right + right + 3:.1f}" y="{y + 12}" font-size="10" '
            f'fill="currentColor">{pyramid_row.female or ""}</text>'
        )
    legend_y = height + 14
    body.append(
        f'<text x="{half - 4}" y="{legend_y}" text-anchor="end" {LABEL_STYLE}>'
        f"{escape(male)}</text>"
        f'<text x="{half + middle_gap + 4}" y="{legend_y}" {LABEL_STYLE}>{escape(female)}</text>'
    )
    return _svg(title, width, height + 20, body)


def line_chart(series: Sequence[Series], *, title: str) -> SafeString:
    """Values over time, one polyline per series, first and last dates on the axis."""
    width, height, left, bottom = 360, 180, 44, 34
    days = sorted({day for line in series for day, _ in line.points})
    values = [value for line in series for _, value in line.points]
    if not days:
        return _svg(title, width, 24, [f'<text x="0" y="16" {LABEL_STYLE}>–</text>'])
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    top = max(values) or 1
    plot_w, plot_h = width - left - 8, height - bottom - 8

    def x_of(day: date) -> float:
        return left + (day - first).days / span * plot_w

    def y_of(value: float) -> float:
        return 8 + plot_h - max(0.0, value) / top * plot_h

    small = 'font-size="10" fill="currentColor"'
    axis_y, date_y = 8 + plot_h, plot_h + 22
    body = [
        f'<line x1="{left}" y1="{axis_y}" x2="{width - 8}" y2="{axis_y}" '
        'stroke="currentColor" stroke-opacity=".3"/>',
        f'<text x="{left - 4}" y="14" text-anchor="end" {small}>{_number(top)}</text>',
        f'<text x="{left - 4}" y="{axis_y}" text-anchor="end" {small}>0</text>',
        f'<text x="{left}" y="{date_y}" {small}>{first:%d/%m/%Y}</text>',
        f'<text x="{width - 8}" y="{date_y}" text-anchor="end" {small}>{last:%d/%m/%Y}</text>',
    ]
    for index, line in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        points = " ".join(f"{x_of(day):.1f},{y_of(value):.1f}" for day, value in line.points)
        if len(line.points) == 1:
            (day, value) = line.points[0]
            body.append(
                f'<circle cx="{x_of(day):.1f}" cy="{y_of(value):.1f}" r="3" fill="{colour}"/>'
            )
        else:
            body.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
    body += _legend([line.name for line in series], height - 14)
    return _svg(title, width, height, body)
