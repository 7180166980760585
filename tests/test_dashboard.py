"""The dashboard's figures are the report's: the same statistics as the spreadsheet for the leadership,
and the SQL judgement of each question (compliance_case) agrees with the report rows' (compliance)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.clock import FakeClock
from core.config import Settings
from reports.build import ReportScope, write_report
from reports.charts import chart_specs, chart_svg
from reports.dashboard import dashboard
from reports.rows import Compliance, report_rows
from reports.table import department_cells
from storage.models import QuestionStatus
from tests.harness import Harness
from tests.report_data import populate, populate_campaign, reporting_harness


@pytest.fixture(scope="module")
def campaign(example_settings: Settings, module_database_url: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    harness = reporting_harness(example_settings, module_database_url,
                                FakeClock(datetime(2023, 2, 10, 2, 0, tzinfo=UTC)), tmp_path_factory.mktemp("dash"))
    populate(harness)
    populate_campaign(harness, 300)
    yield harness
    harness.dispose()


def figures(harness: Harness):
    with harness.app.sessions() as session:
        return dashboard(session, harness.settings, harness.app.processor.campaign_id, harness.clock.now())


def test_the_dashboards_department_figures_are_the_spreadsheets(campaign: Harness, tmp_path: Path) -> None:
    board = figures(campaign)
    with campaign.app.sessions() as session:
        scope = ReportScope(campaign.settings, campaign.app.services.texts, campaign.app.campaign(session),
                            campaign.clock.now())
        write_report(session, scope, "xlsx", tmp_path / "report.xlsx")
    sheet = load_workbook(tmp_path / "report.xlsx").worksheets[1]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_row=1 + len(board.departments))]
    shown = [department_cells(row.stats) for row in board.departments]
    assert [row[0] or "no_department" for row in shown] == [row[0] for row in rows[:-1]] + ["no_department"]
    assert [[value if value != "" else None for value in row[1:]] for row in shown] == [
        [pytest.approx(v) if isinstance(v, float) else v for v in row[1:]] for row in rows]
    assert sum(count for _, count in board.by_status) == board.stats.total == 304


def test_sql_judgement_matches_the_report_rows(campaign: Harness) -> None:
    now = campaign.clock.now()
    with campaign.app.sessions() as session:
        rows = list(report_rows(session, campaign.settings, campaign.app.processor.campaign_id, now))
    judged: Counter[tuple[str, Compliance]] = Counter((row.department, row.compliance) for row in rows
                                                      if row.compliance is not Compliance.CLOSED)
    board = figures(campaign)
    for row in board.departments:
        stats = row.stats
        assert (stats.overdue, stats.pending, stats.late, stats.at_dialogue) == tuple(
            judged[(stats.name, state)] for state in (Compliance.OVERDUE, Compliance.PENDING, Compliance.LATE,
                                                       Compliance.AT_DIALOGUE)), stats.name
        assert stats.answered == judged[(stats.name, Compliance.ON_TIME)] + judged[(stats.name, Compliance.LATE)]
    assert Counter(r.status for r in rows) == {status: count for status, count in board.by_status if count}


def test_each_department_shows_its_nearest_and_oldest_deadline(campaign: Harness) -> None:
    now = campaign.clock.now()
    with campaign.app.sessions() as session:
        rows = list(report_rows(session, campaign.settings, campaign.app.processor.campaign_id, now))
    for row in figures(campaign).departments:
        mine = [r.due_at for r in rows if r.department == row.stats.name and r.due_at is not None
                and r.status in (QuestionStatus.FORWARDED, QuestionStatus.RECEIVED, QuestionStatus.IN_REVIEW)]
        assert row.deadlines.next_due == min((d for d in mine if d >= now), default=None)
        assert row.deadlines.oldest_overdue == min((d for d in mine if d < now), default=None)
        assert row.behind == (row.stats.overdue > 0)
    assert any(row.behind for row in figures(campaign).departments)


def test_the_charts_are_the_reports_charts_as_svg(campaign: Harness) -> None:
    board = figures(campaign)
    labels = ReportScope(campaign.settings, campaign.app.services.texts, None, campaign.clock.now()).labels  # type: ignore[arg-type]
    specs = chart_specs(board.stats, labels)
    assert [spec.key for spec in specs] == ["by_district", "by_category", "answer_rate", "median_days", "overdue",
                                            "useful"]
    svg = chart_svg(specs[0])
    assert svg.startswith(b"<?xml") and b"<svg" in svg
