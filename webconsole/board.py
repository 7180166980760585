"""The board (/console/): the campaign's questions with filters held in the URL (GET form: keys and
words, never a person), keyset pages, an export of exactly what is filtered, and a fragment the page
polls to stay current (ETag: a poll when nothing changed costs one index lookup and answers 304)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.config import Settings
from reports.build import FORMATS, ReportScope
from reports.csv_report import write_csv
from reports.deadline_note import deadline_note
from reports.rows import report_rows
from reports.stats import gather_stats
from reports.xlsx_report import write_xlsx
from storage.board import BoardFilter, BoardPage, BoardRow, Due, Sort, board_page, matching_ids
from storage.models import QuestionSource, QuestionStatus, StaffRole
from webconsole.auth import Staff, signed_in
from webconsole.downloads import attachment
from webconsole.figures import Figures
from webconsole.render import language_of, page
from webconsole.state import Console, console_of

EXPORTS = ("csv", "xlsx")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # catalogue text (Markup) or a configured name


def board(request: Request) -> Response:
    staff = signed_in(request)
    return page(request, "board.html", staff, live_tag=fragment_tag(request, staff, request.url.query),
                **_view(request, staff))


def board_fragment(request: Request) -> Response:
    """The list and its count alone, for the page's live refresh; 304 when nothing changed."""
    return live_fragment(request, "board_rows.html", request.url.query, _view)


def live_fragment(request: Request, template: str, scope: str, view: Callable[[Request, Staff], dict[str, Any]],
                  version: Callable[[Figures, Session, int, datetime], str] = Figures.version) -> Response:
    """A page's live part: 304 to the ETag of the same data (`version`), filter (`scope`), viewer and language."""
    staff = signed_in(request)
    tag = fragment_tag(request, staff, scope, version)
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"etag": tag})
    response = page(request, template, staff, **view(request, staff))
    response.headers["etag"] = tag
    return response


def fragment_tag(request: Request, staff: Staff, scope: str,
                 version: Callable[[Figures, Session, int, datetime], str] = Figures.version) -> str:
    """The live part's ETag now. Its page gives it to live.js (`data-etag`), so the first poll after loading is a
    304 when nothing changed; read before the page's data, so a change in between is shown at that poll."""
    console = console_of(request)
    with console.transaction() as session:
        current = version(console_figures(request), session, console.app.processor.campaign_id, console.now())
    return etag(current, scope, staff, language_of(request))


def board_export(request: Request) -> Response:
    """The filtered questions as the report's CSV (UTF-8 with BOM) or workbook, in the report's order."""
    staff = signed_in(request)
    format = request.path_params["format"]
    if format not in EXPORTS:
        return Response(status_code=404)
    console = console_of(request)
    settings, now = console.app.settings, console.now()
    board_filter = _filter(request, staff)
    folder = Path(tempfile.mkdtemp(prefix="youthbot-export-"))
    out = folder / f"board.{format}"
    with console.transaction() as session:
        campaign = console.campaign(session)
        scope = ReportScope(settings, console.app.services.texts, campaign, now)
        rows = report_rows(session, settings, campaign.id, now,
                           within=matching_ids(campaign.id, board_filter, now, settings.timezone))
        if format == "csv":
            write_csv(rows, scope.labels, out)
        else:
            write_xlsx(rows, gather_stats(session, settings, campaign.id, now), scope.labels, out)
        name = f"{campaign.key}-{now.astimezone(settings.timezone):%Y%m%d-%H%M}.{format}"
    return FileResponse(out, media_type=FORMATS[format], headers={"content-disposition": attachment(name)},
                        background=BackgroundTask(shutil.rmtree, folder))


def etag(version: str, query: str, staff: Staff, language: str) -> str:
    """Changes with the data (version), the filter, who looks (an officer's department) and the language."""
    seed = "|".join((version, query, staff.role, staff.department_key or "", language))
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def console_figures(request: Request) -> Figures:
    return request.app.state.figures


def _filter(request: Request, staff: Staff) -> BoardFilter:
    """An officer's board is their department's, whatever the URL says."""
    chosen = BoardFilter.from_query(dict(request.query_params))
    return chosen.within(staff.department_key if staff.role == StaffRole.OFFICER else None)


def _view(request: Request, staff: Staff) -> dict[str, Any]:
    console = console_of(request)
    settings, now = console.app.settings, console.now()
    board_filter = _filter(request, staff)
    with console.transaction() as session:
        result = board_page(session, console.app.processor.campaign_id, board_filter, now, settings.timezone,
                            request.query_params.get("after", ""))
        rows = _rows(console, session, result, language_of(request))
        source = session.get(QuestionSource, int(board_filter.source)) if board_filter.source else None
    query = board_filter.to_query()
    return {
        "filter": board_filter, "rows": rows, "total": result.total, "query": urlencode(query),
        "next_url": "/console/?" + urlencode({**query, "after": result.next_cursor}) if result.next_cursor else "",
        "first_url": "/console/?" + urlencode(query) if request.query_params.get("after") else "",
        "fragment_url": "/console/board/fragment?" + request.url.query,
        "choices": _choices(settings, language_of(request), staff, console),
        "officer": staff.role == StaffRole.OFFICER, "can_act": staff.role != StaffRole.VIEWER,
        "bulk": _bulk_result(request), "source_label": source.label if source else "",
        "departments": [Choice(d.key, d.name) for d in settings.departments],
    }


def _bulk_result(request: Request) -> dict[str, int] | None:
    """What the last bulk action did (webconsole/bulk.py redirects here with the counts)."""
    query = request.query_params
    if "bulk_none" in query:
        return {}
    if "bulk_done" not in query:
        return None
    return {name: int(value) if (value := query.get(f"bulk_{name}", "0")).isdigit() else 0
            for name in ("done", "refused")}


def _rows(console: Console, session: Session, result: BoardPage, language: str) -> list[dict[str, Any]]:
    settings, texts, now = console.app.settings, console.app.services.texts, console.now()

    def label(key: str, **values: object) -> Markup:
        return Markup(texts.render(language, key, **values))

    names = _Names(settings, language)
    return [{
        "code": row.code, "status": label(f"status_{row.status}"), "excerpt": row.excerpt,
        "district": names.districts.get(row.district_key, row.district_key),
        "category": names.categories.get(row.category_key or "", row.category_key or ""),
        "department": names.departments.get(row.department_key or "", row.department_key or ""),
        "due": _due(settings, label, row, now), "overdue": row.overdue(now), "rank": row.event_rank,
        "platform": label(f"platform_{row.platform}"),
    } for row in result.rows]


def _due(settings: Settings, label: Any, row: BoardRow, now: Any) -> str:
    if row.due_at is None:
        return ""
    local = row.due_at.astimezone(settings.timezone).strftime("%H:%M %d/%m/%Y")
    if row.status not in (QuestionStatus.RECEIVED, QuestionStatus.FORWARDED, QuestionStatus.IN_REVIEW):
        return local
    return f"{local} · {deadline_note(settings, label, row.due_at, now)}"


class _Names:
    def __init__(self, settings: Settings, language: str) -> None:
        self.districts = {d.key: d.name for d in settings.districts}
        self.categories = {c.key: c.name(language) for c in settings.categories}
        self.departments = {d.key: d.name for d in settings.departments}


def _choices(settings: Settings, language: str, staff: Staff, console: Console) -> dict[str, list[Choice]]:
    texts = console.app.services.texts

    def label(key: str) -> Markup:
        return Markup(texts.render(language, key))

    return {
        "status": [Choice(s.value, label(f"status_{s.value}")) for s in QuestionStatus
                   if s is not QuestionStatus.DRAFT],
        "department": [Choice(d.key, d.name) for d in settings.departments],
        "category": [Choice(c.key, c.name(language)) for c in settings.categories],
        "district": [Choice(d.key, d.name) for d in settings.districts],
        "platform": [Choice(p, label(f"platform_{p}")) for p in settings.platforms or ("console",)],
        "language": [Choice(code, label(f"console_language_{code}")) for code in settings.languages],
        "due": [Choice(d.value, label(f"console_board_due_{d.value or 'any'}")) for d in Due],
        "sort": [Choice(s.value, label(f"console_board_sort_{s.value}")) for s in Sort],
    }
