"""Issue 13: charts read as Vietnamese readers expect: counts on whole-number axes, decimals with a
comma. The figure's tick and bar labels are read back; no images are compared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from matplotlib import pyplot
from matplotlib.figure import Figure

from reports.charts import Series, chart_figure


@contextmanager
def drawn(figure: Figure) -> Iterator[Figure]:
    try:
        figure.canvas.draw()  # the formatter labels the ticks when drawn
        yield figure
    finally:
        pyplot.close(figure)


def tick_labels(figure: Figure) -> list[str]:
    return [label.get_text() for label in figure.axes[0].get_xticklabels() if label.get_text()]


def bar_labels(figure: Figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts]


def test_counts_get_whole_number_ticks() -> None:
    # Matplotlib's own ticks for 0..3 would be 0.0, 0.5, ... 3.0.
    with drawn(chart_figure("Số câu hỏi", ["Văn Giang", "Khoái Châu"], [Series("", [3, 1])], whole=True)) as figure:
        ticks = tick_labels(figure)
        assert ticks and all(re.fullmatch(r"\d+", tick) for tick in ticks), ticks
        assert len(set(ticks)) == len(ticks)  # no 2.5 shown as a second "2"
        assert bar_labels(figure) == ["3", "1"]


def test_decimals_use_a_comma() -> None:
    series = [Series("", [10.5, 2.4])]
    with drawn(chart_figure("Số ngày trả lời (trung vị)", ["Sở Công Thương", "Sở Nội vụ"], series, whole=False)) as fig:
        assert bar_labels(fig) == ["10,5", "2,4"]
        ticks = tick_labels(fig)
        assert ticks and all(re.fullmatch(r"\d+,\d", tick) for tick in ticks), ticks
        assert not any("." in text for text in ticks + bar_labels(fig))


def test_late_and_overdue_are_two_series_with_a_legend() -> None:
    series = [Series("sau hạn", [2, 0]), Series("quá hạn", [1, 4])]
    with drawn(chart_figure("Trả lời chậm", ["Sở Công Thương", "Sở Nội vụ"], series)) as figure:
        legend = figure.axes[0].get_legend()
        assert [text.get_text() for text in legend.get_texts()] == ["sau hạn", "quá hạn"]
        assert sorted(bar_labels(figure)) == ["0", "1", "2", "4"]
