"""The statistics as PNG bar charts (matplotlib, Agg backend: no display needed on a server)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402  (the backend must be chosen first)

from reports.labels import Labels  # noqa: E402
from reports.stats import Stats  # noqa: E402

DPI = 120


@dataclass(frozen=True)
class Chart:
    title: str
    path: Path


def draw_charts(stats: Stats, labels: Labels, folder: Path) -> list[Chart]:
    """One chart per measure; departments without questions are left out of the rates."""
    folder.mkdir(parents=True, exist_ok=True)
    active = [d for d in stats.departments if d.received]
    rated = [d for d in active if d.useful_share is not None]
    answered = [d for d in active if d.median_days is not None]
    specs = [
        ("by_district", labels("chart_by_district"), stats.by_district),
        ("by_category", labels("chart_by_category"), stats.by_category),
        ("answer_rate", labels("chart_answer_rate"), [(d.name, round(100 * d.answer_rate)) for d in active]),
        ("median_days", labels("chart_median_days"), [(d.name, round(d.median_days or 0, 1)) for d in answered]),
        ("overdue", labels("chart_overdue"), [(d.name, d.overdue + d.late) for d in active]),
        ("useful", labels("chart_useful"), [(d.name, round(100 * (d.useful_share or 0))) for d in rated]),
    ]
    return [Chart(title, _bar_chart(title, values, folder / f"{name}.png")) for name, title, values in specs]


def _bar_chart(title: str, values: list[tuple[str, float]], path: Path) -> Path:
    names = [name for name, _ in values] or ["—"]
    numbers = [number for _, number in values] or [0]
    figure, axes = pyplot.subplots(figsize=(8, 0.8 + 0.35 * len(names)), dpi=DPI)
    try:
        bars = axes.barh(names[::-1], numbers[::-1], color="#1f5fa8")
        axes.bar_label(bars, padding=3)
        axes.set_title(title)
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(x=0.12)
        figure.tight_layout()
        figure.savefig(path)
    finally:
        pyplot.close(figure)
    return path
