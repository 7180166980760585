"""Questions gathered offline, from the console (/console/import): the template to download, the upload
with its checked preview (nothing stored), and the confirmation, which performs `import_questions`
(the action the command line performs) in one transaction. Who may is the action table's word.

The file stays on the server between preview and confirmation (webconsole/uploads.py): the browser
carries only an upload id, so the confirmed rows cannot be edited on the way back."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from actions.model import Surface
from actions.perform import perform
from actions.permissions import allowed
from actions.table import action_named
from core.config import Settings
from handlers import offline
from handlers.context import Job, Writer
from reports.offline_file import ImportFileError, RawRow, read_rows, write_template
from webconsole.acting import actor_of
from webconsole.auth import Forbidden, Staff, check_csrf, form_endpoint, signed_in
from webconsole.downloads import attachment
from webconsole.render import language_of, page, role_label, translator
from webconsole.state import Console, console_of
from webconsole.uploads import Upload, UploadMeta, UploadStore

ACTION = "import_questions"
KINDS = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv"}
MAX_BYTES = 2 * 1024 * 1024  # a district's list of a few hundred questions is a few dozen kilobytes
MAX_ROWS = 1000  # each row is compared with the stored questions: a bound on one preview's work
MULTIPART_SLACK = 64 * 1024  # the form's other fields and boundaries around the file
TOO_BIG = {"megabytes": MAX_BYTES // 1024 // 1024}
TEMPLATE_NAME = "mau-cau-hoi"
UNIONS = (("Huyện ", "Huyện đoàn "), ("Thị xã ", "Thị đoàn "), ("Thành phố ", "Thành đoàn "))


@dataclass(frozen=True)
class RowView:
    line: int
    district: str
    category: str
    text: str
    reasons: list[Markup]


class Refusal(Exception):
    """The file cannot be previewed: `key` (with its values) says why, on the upload page."""

    def __init__(self, key: str, status: int = 400, **values: object) -> None:
        super().__init__(key)
        self.key, self.status, self.values = key, status, values


def importer(request: Request) -> Staff:
    """A signed-in member whose role may perform the import on the web (actions/permissions.py)."""
    staff = signed_in(request)
    action = action_named(ACTION)
    if action is None or not allowed(action, actor_of(staff, "")):
        raise Forbidden
    return staff


def import_page(request: Request) -> Response:
    return upload_form(request, importer(request))


def template_file(request: Request) -> Response:
    """The template, by the writer of `youthbot import-template` (XLSX with drop-down lists, or CSV)."""
    importer(request)
    suffix = "." + request.path_params["format"]
    if suffix not in KINDS:
        return Response(status_code=404)
    app = console_of(request).app
    folder = Path(tempfile.mkdtemp(prefix="youthbot-template-"))
    out = folder / f"{TEMPLATE_NAME}{suffix}"
    write_template(app.settings, app.services.texts, out)
    return FileResponse(out, media_type=KINDS[suffix], headers={"content-disposition": attachment(out.name)},
                        background=BackgroundTask(shutil.rmtree, folder))


async def upload(request: Request) -> Response:
    """Keep the file for this session if it reads as a question list, then show its preview (a redirect,
    so a reload does not post the file again). Database and file work run in the thread pool."""
    staff = await run_in_threadpool(importer, request)  # before the body is read
    if int(request.headers.get("content-length") or 0) > MAX_BYTES + MULTIPART_SLACK:
        return await run_in_threadpool(upload_form, request, staff, "console_import_too_big", 413, **TOO_BIG)
    form = await request.form(max_files=1, max_fields=8)
    file = form.get("file")
    content = await file.read(MAX_BYTES + 1) if isinstance(file, UploadFile) and file.filename else None
    return await run_in_threadpool(_uploaded, request, staff, form, content)


def _uploaded(request: Request, staff: Staff, form: FormData, content: bytes | None) -> Response:
    check_csrf(request, staff, form)
    file, source = form.get("file"), " ".join(str(form.get("source", "")).split())[:200]
    if content is None or not isinstance(file, UploadFile) or not file.filename:
        return upload_form(request, staff, "console_import_no_file", source=source)
    if len(content) > MAX_BYTES:
        return upload_form(request, staff, "console_import_too_big", 413, source=source, **TOO_BIG)
    try:
        upload_id = _keep(console_of(request), staff, file.filename, content, source)
    except Refusal as refusal:
        return upload_form(request, staff, refusal.key, refusal.status, source=source, **refusal.values)
    return RedirectResponse("/console/import/preview?" + urlencode({"upload": upload_id}), status_code=303)


def preview_page(request: Request) -> Response:
    """Every row checked against the configuration and the stored questions, good and bad; read-only."""
    staff = importer(request)
    console = console_of(request)
    upload_id = request.query_params.get("upload", "")
    found = _store(console).get(staff.session_id, upload_id)
    if found is None:
        return upload_form(request, staff, "console_import_gone", 404)
    try:
        rows = _rows(console, found)
    except Refusal as refusal:
        return upload_form(request, staff, refusal.key, refusal.status, **refusal.values)
    with console.transaction() as session:
        checked = offline.check(Job(console.app.services, session, console.now(), campaign=console.campaign(session)),
                                rows)
        session.rollback()  # the preview changes nothing
    views = [(_row_view(console.app.settings, request, row), row.good) for row in checked.rows]
    return page(request, "import_preview.html", staff, meta=found.meta, upload_id=upload_id,
                good=[view for view, good in views if good], bad=[view for view, good in views if not good])


@form_endpoint
def confirm(request: Request, form: FormData) -> Response:
    """Import every good row through `perform`, once: the file is claimed, so a second press finds nothing;
    a refusal or a failure rolls the whole import back and gives the file back."""
    staff = importer(request)
    check_csrf(request, staff, form)
    console = console_of(request)
    store = _store(console)
    found = store.get(staff.session_id, str(form.get("upload", "")))
    claimed = store.claim(found) if found is not None else None
    if claimed is None:
        return upload_form(request, staff, "console_import_gone", 409)
    try:
        rows = _rows(console, claimed)
        label = str(role_label(translator(request), console.app.settings, staff))
        with console.transaction() as session:
            outcome = perform(Writer(console.app.services, session, console.now()), console.campaign(session),
                              actor_of(staff, label), ACTION, (), Surface.WEB,
                              given={"rows": rows, "source": claimed.meta.source,
                                     "file_name": claimed.meta.file_name, "confirm": True})
    except BaseException:
        store.release(claimed)
        raise
    if not outcome.ok:
        store.release(claimed)
        return upload_form(request, staff, outcome.key or "import_nothing", 400, **outcome.values)
    store.discard(claimed)
    detail = outcome.detail
    return page(request, "import_done.html", staff, meta=claimed.meta, imported=detail["imported"],
                bad=detail["bad"], board_url="/console/?" + urlencode({"source": detail["source_id"]}))


def upload_form(request: Request, staff: Staff, message_key: str = "", status: int = 200, source: str = "",
                **values: object) -> Response:
    settings = console_of(request).app.settings
    suggestions = [translator(request)("console_import_source_suggestion", union=union) for union in
                   union_names(settings)]
    return page(request, "import.html", staff, status=status, message_key=message_key, message_values=values,
                source=source, suggestions=suggestions, max_megabytes=TOO_BIG["megabytes"])


def union_names(settings: Settings) -> list[str]:
    """Each configured district's Youth Union, the usual sources ("Huyện Văn Giang" → "Huyện đoàn Văn Giang")."""
    def union(name: str) -> str:
        return next((organisation + name.removeprefix(unit) for unit, organisation in UNIONS
                     if name.startswith(unit)), name)
    return [union(d.name) for d in settings.districts]


def _keep(console: Console, staff: Staff, file_name: str, content: bytes, source: str) -> str:
    """The upload's id, once the file reads as a question list; refused (and not kept) otherwise."""
    name = PurePath(file_name.replace("\\", "/")).name[:200]
    suffix = PurePath(name).suffix.lower()
    if suffix not in KINDS:
        raise Refusal("import_file_kind", name=name)
    if not source:
        raise Refusal("console_import_source_missing")
    store = _store(console)
    upload_id = store.put(staff.session_id, content, UploadMeta(name, suffix, source))
    kept = store.get(staff.session_id, upload_id)
    assert kept is not None
    try:
        _rows(console, kept)
    except Refusal:
        store.discard(kept)
        raise
    return upload_id


def _rows(console: Console, upload: Upload) -> list[RawRow]:
    try:
        rows = read_rows(upload.path, console.app.services.texts)
    except ImportFileError as error:
        raise Refusal(error.key, **{**error.values, "name": upload.meta.file_name}) from error
    except Exception as error:  # noqa: BLE001 - a damaged file (a CSV cell over csv's limit, a broken sheet)
        raise Refusal("console_import_unreadable", name=upload.meta.file_name) from error
    if len(rows) > MAX_ROWS:
        raise Refusal("console_import_too_many", rows=len(rows), maximum=MAX_ROWS)
    return rows


def _row_view(settings: Settings, request: Request, row: offline.CheckedRow) -> RowView:
    t = translator(request)
    district, category = settings.district(row.district_key or ""), settings.category(row.category_key or "")
    return RowView(row.line, district.name if district else "",
                   category.name(language_of(request)) if category else "", row.text,
                   [t(problem.key, **problem.values) for problem in row.problems])


def _store(console: Console) -> UploadStore:
    return UploadStore(console.app.settings.reports.folder / "uploads", console.key)
