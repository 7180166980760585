"""CSV for data users: one row per question, UTF-8 with a byte order mark so Excel reads Vietnamese."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from reports.labels import Labels
from reports.rows import ReportRow
from reports.table import cells, headers


def write_csv(rows: Iterable[ReportRow], labels: Labels, out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headers(labels))
        for row in rows:
            writer.writerow(cells(row, labels))
            count += 1
    return count
