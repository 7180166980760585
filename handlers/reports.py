"""The coordinator's reports in chat: `/report docx|xlsx|csv`, `/stats` with charts, `/programme`, and
publishing answered questions to the FAQ (`/publish CODE`, `/unpublish CODE`).

Files are written under `reports.folder` and sent as uploads. A report is written while
its update is handled, so the inbox waits: seconds at 10,000 questions, up to a minute at
100,000 (bench/README.md); at that size `youthbot report` on the server is kinder.
"""

from __future__ import annotations

from core.messages import Attachment, MediaKind
from core.texts import Html
from handlers.admin import may_administer
from handlers.context import Context
from reports.build import FORMATS, ReportScope, report_path, write_report
from reports.charts import draw_charts
from reports.programme import write_programme
from reports.stats import DepartmentStats, gather_stats
from reports.table import vietnamese_number
from reports.transmittal import write_transmittal
from storage.models import QuestionStatus
from storage.questions import find_by_code

REPORT_COMMANDS = ("/report", "/stats", "/publish", "/unpublish", "/transmittal", "/programme")


def run_command(ctx: Context, command: str, arguments: list[str]) -> None:
    own = ctx.settings.department_for_chat(ctx.incoming.chat)
    if command == "/transmittal" and (own is not None or may_administer(ctx)):
        send_transmittal(ctx, own.key if own is not None else (arguments[0] if arguments else ""))
    elif not may_administer(ctx):
        ctx.reply(ctx.staff_language, "not_admin")
    elif command == "/report":
        send_report(ctx, arguments[0].lower() if arguments else "docx")
    elif command == "/stats":
        send_stats(ctx)
    elif command == "/programme":
        send_programme(ctx)
    else:
        publish(ctx, arguments[0] if arguments else "", published=command == "/publish")


def scope(ctx: Context) -> ReportScope:
    return ReportScope(ctx.settings, ctx.services.texts, ctx.campaign, ctx.now)


def send_report(ctx: Context, format: str) -> None:
    if format not in FORMATS:
        ctx.reply(ctx.staff_language, "report_usage", formats=" | ".join(FORMATS))
        return
    out = report_path(ctx.settings, ctx.campaign, ctx.now, f".{format}")
    count = write_report(ctx.session, scope(ctx), format, out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS[format], out.stat().st_size, path=str(out))
    ctx.send(ctx.incoming.chat, ctx.text(ctx.staff_language, "report_ready", count=count, format=format),
             attachments=(document,), reply_to=_quote(ctx))


def send_transmittal(ctx: Context, department_key: str) -> None:
    """A department's "phiếu chuyển": admins name the department, its officers get their own."""
    department = ctx.settings.department(department_key)
    if department is None:
        ctx.reply(ctx.staff_language, "transmittal_usage", keys=", ".join(d.key for d in ctx.settings.departments))
        return
    out = report_path(ctx.settings, ctx.campaign, ctx.now, f"-phieu-chuyen-{department.key}.docx")
    count = write_transmittal(ctx.session, scope(ctx), department.key, out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS["docx"], out.stat().st_size, path=str(out))
    ctx.send(ctx.incoming.chat, ctx.text(ctx.staff_language, "transmittal_ready", department=department.name,
                                         count=count), attachments=(document,), reply_to=_quote(ctx))


def send_programme(ctx: Context) -> None:
    """The event's annex: earlier commitments, the picked questions, the honours list (reports/programme.py)."""
    out = report_path(ctx.settings, ctx.campaign, ctx.now, "-phu-luc-chuong-trinh.docx")
    commitments, questions, honoured = write_programme(ctx.session, scope(ctx), out)
    document = Attachment(MediaKind.DOCUMENT, "", out.name, FORMATS["docx"], out.stat().st_size, path=str(out))
    ctx.send(ctx.incoming.chat, ctx.text(ctx.staff_language, "programme_ready", commitments=commitments,
                                         questions=questions, honoured=honoured),
             attachments=(document,), reply_to=_quote(ctx))


def send_stats(ctx: Context) -> None:
    language = ctx.staff_language
    stats = gather_stats(ctx.session, ctx.settings, ctx.campaign.id, ctx.now)
    charts = draw_charts(stats, scope(ctx).labels, report_path(ctx.settings, ctx.campaign, ctx.now, "-charts"))
    lines = [_department_line(ctx, d, d.name or ctx.text(language, "no_department"))
             for d in stats.departments if d.received]
    lines.append(_department_line(ctx, stats.totals, ctx.text(language, "row_total")))
    html = ctx.text(language, "stats_summary", total=stats.total, answered=stats.answered, late=stats.late,
                    at_dialogue=stats.at_dialogue, open=stats.open, overdue=stats.overdue, rejected=stats.rejected,
                    merged=stats.merged, departments=Html("\n".join(lines)))
    photos = tuple(Attachment(MediaKind.PHOTO, "", c.path.name, "image/png", c.path.stat().st_size, path=str(c.path))
                   for c in charts)
    ctx.send(ctx.incoming.chat, html, attachments=photos, reply_to=_quote(ctx))


def _department_line(ctx: Context, department: DepartmentStats, name: str) -> Html:
    median = department.median_days
    return ctx.text(ctx.staff_language, "stats_department_line", department=name, received=department.received,
                    answered=department.answered, rate=f"{100 * department.answer_rate:.0f}",
                    median="–" if median is None else vietnamese_number(median), late=department.late,
                    at_dialogue=department.at_dialogue, overdue=department.overdue)


def publish(ctx: Context, code: str, published: bool) -> None:
    language = ctx.staff_language
    question = find_by_code(ctx.session, code, ctx.campaign.id) if code else None
    if question is None:
        ctx.reply(language, "publish_usage" if not code else "publish_unknown", code=code)
    elif published and question.status != QuestionStatus.ANSWERED:
        ctx.reply(language, "publish_not_answered", code=question.code)
    else:
        question.published_at = ctx.now if published else None
        ctx.reply(language, "publish_done" if published else "unpublish_done", code=question.code)


def _quote(ctx: Context) -> str:
    return "" if ctx.incoming.is_private else ctx.incoming.message_id
