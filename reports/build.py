"""One entry point for every report format, used by the command line and the coordinator chat."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.config import Settings
from core.texts import Texts
from reports.charts import draw_charts
from reports.commitments import commitment_rows
from reports.csv_report import write_csv
from reports.deadline_note import deadline_note
from reports.docx_report import write_docx
from reports.labels import Labels
from reports.rows import ReportRow, Subset, report_rows
from reports.staff_actions import staff_action_rows
from reports.stats import gather_stats
from reports.xlsx_report import write_xlsx
from storage.models import Campaign

PROGRESS_EVERY = 5000  # questions between two progress lines of `youthbot report`
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@dataclass(frozen=True)
class ReportScope:
    """What a report covers and how it reads: the campaign, the moment deadlines are judged at."""

    settings: Settings
    texts: Texts
    campaign: Campaign
    now: datetime

    @property
    def today(self) -> date:
        """The province's date: a commitment past it is overdue."""
        return self.now.astimezone(self.settings.timezone).date()

    @property
    def labels(self) -> Labels:
        return Labels(self.texts, self.settings.default_language, self.settings.timezone)


def write_report(session: Session, scope: ReportScope, format: str, out: Path,
                 progress: Callable[[int], None] | None = None) -> int:
    """Write the report in `format` (docx, xlsx, csv) to `out`; returns the number of questions.
    `progress` is told how many questions are written, every PROGRESS_EVERY of them."""
    if format not in FORMATS:
        raise ValueError(f"unknown report format '{format}'; use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = report_rows(session, scope.settings, scope.campaign.id, scope.now)
    if progress is not None:
        rows = _counted(rows, progress)
    if format == "csv":
        return write_csv(rows, scope.labels, out)
    stats = gather_stats(session, scope.settings, scope.campaign.id, scope.now)
    commitments = commitment_rows(session, scope.settings, scope.campaign, scope.today)
    actions = staff_action_rows(session, scope.campaign.id)
    if format == "xlsx":
        return write_xlsx(rows, stats, scope.labels, out, commitments, actions)
    with tempfile.TemporaryDirectory() as charts_folder:
        charts = draw_charts(stats, scope.labels, Path(charts_folder))
        live = list(report_rows(session, scope.settings, scope.campaign.id, scope.now, Subset.LIVE))
        open_rows = [(row, deadline_note(scope.settings, scope.labels, row.due_at, scope.now))
                     for row in report_rows(session, scope.settings, scope.campaign.id, scope.now, Subset.OPEN)]
        return write_docx(rows, stats, charts, scope.labels, scope.settings.reports, scope.campaign.name, scope.now,
                          live, open_rows, out, commitments, actions)


def _counted(rows: Iterator[ReportRow], progress: Callable[[int], None]) -> Iterator[ReportRow]:
    for count, row in enumerate(rows, 1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        yield row


def report_path(settings: Settings, campaign: Campaign, now: datetime, suffix: str) -> Path:
    """A new file under `reports.folder`, named after the campaign and the moment."""
    stamp = now.astimezone(settings.timezone).strftime("%Y%m%d-%H%M%S")
    return settings.reports.folder / f"{campaign.key}-{stamp}{suffix}"
