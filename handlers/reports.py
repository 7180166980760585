"""The coordinator's reports in chat: `/report docx|xlsx|csv`, `/stats` with charts, `/programme`, and
publishing answered questions to the FAQ (`/publish CODE`, `/unpublish CODE`).

Files are written under `reports.folder` and sent as uploads. A report is written while
its update is handled, so the inbox waits: seconds at 10,000 questions, up to a minute at
100,000 (bench/README.md); at that size `youthbot report` on the server is kinder.
"""

from __future__ import annotations

from dataclasses import replace

from actions.model import Actor, Args, Outcome, done, invalid, refused
from actions.permissions import department_in_scope
from core.messages import Attachment, MediaKind
from core.texts import Html
from handlers.context import Job
from reports.build import FORMATS, ReportScope, report_path, write_report
from reports.charts import draw_charts
from reports.programme import write_programme
from reports.stats import DepartmentStats, gather_stats
from reports.table import vietnamese_number
from reports.transmittal import write_transmittal
from storage.models import Question, QuestionStatus


def scope(job: Job) -> ReportScope:
    return ReportScope(job.settings, job.services.texts, job.campaign, job.now)


def report(job: Job, actor: Actor, args: Args) -> Outcome:
    format = (args["format"] or "docx").lower()
    if format not in FORMATS:
        return invalid("report_usage", formats=" | ".join(FORMATS))
    out = report_path(job.settings, job.campaign, job.now, f".{format}")
    count = write_report(job.session, scope(job), format, out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS[format], out.stat().st_size, path=str(out))
    return _with_files(done("report_ready", count=count, format=format), document)


def transmittal(job: Job, actor: Actor, args: Args) -> Outcome:
    """A department's "phiếu chuyển", for the department permissions.department_in_scope decides."""
    department = department_in_scope(job.settings, actor, args["department"])
    if department is None:
        return invalid("transmittal_usage", keys=", ".join(d.key for d in job.settings.departments))
    out = report_path(job.settings, job.campaign, job.now, f"-phieu-chuyen-{department.key}.docx")
    count = write_transmittal(job.session, scope(job), department.key, out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS["docx"], out.stat().st_size, path=str(out))
    return _with_files(done("transmittal_ready", department=department.name, count=count), document)


def programme(job: Job, actor: Actor, args: Args) -> Outcome:
    """The event's annex: earlier commitments, the picked questions, the honours list (reports/programme.py)."""
    out = report_path(job.settings, job.campaign, job.now, "-phu-luc-chuong-trinh.docx")
    commitments, questions, honoured = write_programme(job.session, scope(job), out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS["docx"], out.stat().st_size, path=str(out))
    return _with_files(done("programme_ready", commitments=commitments, questions=questions, honoured=honoured),
                       document)


def stats(job: Job, actor: Actor, args: Args) -> Outcome:
    language = job.staff_language
    figures = gather_stats(job.session, job.settings, job.campaign.id, job.now)
    charts = draw_charts(figures, scope(job).labels, report_path(job.settings, job.campaign, job.now, "-charts"))
    lines = [_department_line(job, d, d.name or job.text(language, "no_department"))
             for d in figures.departments if d.received]
    lines.append(_department_line(job, figures.totals, job.text(language, "row_total")))
    photos = tuple(Attachment(MediaKind.PHOTO, "", c.path.name, "image/png", c.path.stat().st_size, path=str(c.path))
                   for c in charts)
    return _with_files(done("stats_summary", total=figures.total, answered=figures.answered, late=figures.late,
                            at_dialogue=figures.at_dialogue, open=figures.open, overdue=figures.overdue,
                            rejected=figures.rejected, merged=figures.merged,
                            departments=Html("\n".join(lines))), *photos)


def _with_files(outcome: Outcome, *files: Attachment) -> Outcome:
    return replace(outcome, attachments=files)


def _department_line(job: Job, department: DepartmentStats, name: str) -> Html:
    median = department.median_days
    return job.text(job.staff_language, "stats_department_line", department=name, received=department.received,
                    answered=department.answered, rate=f"{100 * department.answer_rate:.0f}",
                    median="–" if median is None else vietnamese_number(median), late=department.late,
                    at_dialogue=department.at_dialogue, overdue=department.overdue)


def publish(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    if question.status != QuestionStatus.ANSWERED:
        return refused("publish_not_answered", question.id, code=question.code)
    question.published_at = job.now
    return done("publish_done", question.id, code=question.code)


def unpublish(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    question.published_at = None
    return done("unpublish_done", question.id, code=question.code)
