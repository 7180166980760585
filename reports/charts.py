"""The statistics as PNG bar charts (matplotlib, Agg backend: no display needed on a server), as
Vietnamese readers expect them: decimal commas, whole-number axes for counts, largest first, late
answers and overdue questions as two series, drawn at the Word page's text width."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402  (the backend must be chosen first)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from reports.labels import Labels  # noqa: E402
from reports.stats import Stats  # noqa: E402
from reports.table import vietnamese_number  # noqa: E402

DPI = 150
WIDTH_INCHES = 16 / 2.54  # the portrait page's text width, less a little
COLORS = ("#1f5fa8", "#d9822b")


@dataclass(frozen=True)
class Chart:
    title: str
    path: Path


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class ChartSpec:
    """One chart's data: drawn as PNG for documents and chats, as SVG for the web console."""

    key: str
    title: str
    names: list[str]
    series: list[Series]
    whole: bool = True  # counts: whole-number axis


def chart_specs(stats: Stats, labels: Labels) -> list[ChartSpec]:
    """One chart per measure; departments without questions are left out of the rates."""
    active = [d for d in stats.departments if d.received]
    rated = [d for d in active if d.useful_share is not None]
    answered = [d for d in active if d.median_days is not None]
    name = lambda d: d.name or labels("no_department")  # noqa: E731
    bars = [
        ("by_district", labels("chart_by_district"), stats.by_district, True),
        ("by_category", labels("chart_by_category"), stats.by_category, True),
        ("answer_rate", labels("chart_answer_rate"), [(name(d), round(100 * d.answer_rate)) for d in active], True),
        ("median_days", labels("chart_median_days"), [(name(d), round(d.median_days or 0, 1)) for d in answered],
         False),
        ("useful", labels("chart_useful"), [(name(d), round(100 * (d.useful_share or 0))) for d in rated], True),
    ]
    specs = [ChartSpec(key, title, [n for n, _ in values], [Series("", [v for _, v in values])], whole)
             for key, title, values, whole in ((k, t, _sorted(v), w) for k, t, v, w in bars)]
    late = sorted(active, key=lambda d: (-(d.late + d.overdue), name(d)))
    specs.insert(4, ChartSpec("overdue", labels("chart_overdue"), [name(d) for d in late], [
        Series(labels("compliance_late"), [d.late for d in late]),
        Series(labels("compliance_overdue"), [d.overdue for d in late])]))
    return specs


def draw_charts(stats: Stats, labels: Labels, folder: Path) -> list[Chart]:
    """The charts as PNG files in `folder`, for the Word report and the coordinator chat."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Chart(spec.title, _saved(spec, folder / f"{spec.key}.png")) for spec in chart_specs(stats, labels)]


def chart_svg(spec: ChartSpec) -> bytes:
    """The chart as an SVG document (text stays text: sharp on a phone, searchable)."""
    buffer = io.BytesIO()
    _saved(spec, buffer, format="svg")
    return buffer.getvalue()


def _sorted(values: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Largest first; ties keep their configured order."""
    return sorted(values, key=lambda item: -item[1])


def _saved(spec: ChartSpec, out: Path | BinaryIO, format: str = "png") -> Path | BinaryIO:
    figure = chart_figure(spec.title, spec.names, spec.series, spec.whole)
    try:
        figure.savefig(out, bbox_inches="tight", format=format)
    finally:
        pyplot.close(figure)
    return out


def chart_figure(title: str, names: list[str], series: list[Series], whole: bool = True) -> Figure:
    """Horizontal bars, the first name on top, one bar per series for each name; the caller closes it."""
    names = names or ["—"]
    height = 0.8 / len(series)
    figure, axes = pyplot.subplots(figsize=(WIDTH_INCHES, 0.9 + 0.28 * len(names) * len(series)), dpi=DPI)
    for index, one in enumerate(series):
        values = one.values or [0]
        positions = [len(names) - 1 - n + (len(series) - 1 - 2 * index) * height / 2 for n in range(len(names))]
        bars = axes.barh(positions, values, height=height, color=COLORS[index % len(COLORS)], label=one.name or None)
        axes.bar_label(bars, labels=[vietnamese_number(v) for v in values], padding=3, fontsize=8)
    axes.set_yticks(range(len(names)), names[::-1], fontsize=8)
    if whole:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: vietnamese_number(x if not whole else int(x))))
    axes.tick_params(axis="x", labelsize=8)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(series))
    figure.tight_layout()
    return figure
