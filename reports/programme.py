"""The event's programme documents, as one annex in the decree's form: what earlier dialogues promised
and where it stands, the questions picked for the leaders (in order), and the exemplary young people
the Youth Union shortlisted to honour (in order). Evidence files stay where they were sent (the chat
platforms, the console's database); the annex says how many each nomination has."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core.config import Settings
from reports.build import ReportScope
from reports.commitments import commitment_rows
from reports.docx_report import OfficialFrame
from storage.curation import agenda
from storage.models import Question
from storage.nominations import shortlist

AGENDA_WIDTHS_CM = (1.0, 1.9, 2.6, 2.8, 5.4, 2.8)
HONOURED_WIDTHS_CM = (1.0, 3.4, 3.4, 6.5, 2.2)


def write_programme(session: Session, scope: ReportScope, out: Path) -> tuple[int, int, int]:
    """The annex as Word; how many commitments, questions and honoured young people it lists."""
    settings, labels = scope.settings, scope.labels
    frame = OfficialFrame(labels, settings.reports, scope.campaign.name, scope.now)
    frame.start()
    frame.letterhead(settings.reports.number_prefix)
    frame.title(labels("programme_kind"), labels("programme_subject"), "")
    frame.paragraph(scope.campaign.name, bold=True, center=True, indent=False)
    frame.paragraph(labels("programme_event", at=labels.moment(settings.campaign.event_at),
                           place=settings.campaign.event_place or labels("form_blank")), center=True, indent=False)
    commitments = commitment_rows(session, settings, scope.campaign, scope.today)
    frame.commitments(commitments, title="programme_section_commitments")
    questions = agenda(session, scope.campaign.id)
    frame.paragraph(labels("programme_section_agenda"), bold=True, indent=False, space_before=12)
    if questions:
        headers = [labels(k) for k in ("col_number", "col_code", "col_district", "col_category", "col_question",
                                       "col_department")]
        frame.data_table(headers, AGENDA_WIDTHS_CM, [_agenda_row(settings, q) for q in questions], left=(2, 3, 4, 5))
    else:
        frame.paragraph(labels("programme_agenda_none"))
    honoured = shortlist(session, scope.campaign.id)
    frame.paragraph(labels("programme_section_honoured"), bold=True, indent=False, space_before=12)
    if honoured:
        headers = [labels(k) for k in ("col_number", "col_nominee", "col_unit", "col_achievement", "col_evidence")]
        frame.data_table(headers, HONOURED_WIDTHS_CM, [
            [str(n.rank), n.nominee_name, n.unit, n.achievement, labels("evidence_count", count=len(n.evidence))]
            for n in honoured], left=(1, 2, 3))
    else:
        frame.paragraph(labels("programme_honoured_none"))
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.document.save(str(out))
    return len(commitments), len(questions), len(honoured)


def _agenda_row(settings: Settings, question: Question) -> list[str]:
    district = settings.district(question.district_key)
    category = settings.category(question.category_key or "")
    department = settings.department(question.department_key or "")
    return [str(question.event_rank), question.code or "", district.name if district else question.district_key,
            category.name(settings.default_language) if category else question.category_key or "", question.text,
            department.name if department else question.department_key or ""]
