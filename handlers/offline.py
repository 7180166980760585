"""Questions gathered offline (meetings, paper) and imported from a district union's spreadsheet.

Two steps, so that nothing is half-imported: `check` reads the rows against the configuration and the
stored questions and changes nothing; `confirm` imports every good row of a fresh check in the caller's
one transaction. Imported questions carry their source and then go the way of a chat question
(review or routing, deadline, card, report); their asker has no chat, so the answer is only stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from actions.model import Actor, Args, Outcome, done, invalid, refused
from core.naming import category_named, districts_named
from core.texts import Html, plain_text
from core.texts import preview as preview_text
from handlers import curation, routing
from handlers.context import Job, Writer
from reports.offline_file import RawRow
from storage import question_terms
from storage.curation import open_signatures
from storage.models import Account, AccountState, Person, Question, QuestionSource, QuestionStatus
from storage.questions import add_event, allocate_code

PLATFORM = "offline"  # the placeholder asker's platform: no adapter sends to it
COMPARED = (QuestionStatus.IN_REVIEW, QuestionStatus.FORWARDED, QuestionStatus.ANSWERED)


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported: a catalogue key and its values."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedRow:
    line: int
    text: str
    district_key: str | None
    category_key: str | None
    asker: str
    signature: str
    problems: tuple[Problem, ...]

    @property
    def good(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Preview:
    rows: tuple[CheckedRow, ...]

    @property
    def good(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.good]

    @property
    def bad(self) -> list[CheckedRow]:
        return [row for row in self.rows if not row.good]


def check(ctx: Job, rows: Sequence[RawRow]) -> Preview:
    """Each row's unit, field and text; duplicates of an earlier row or of a stored question. Read-only."""
    model = ctx.services.understanding.model(ctx.session)
    threshold = ctx.settings.curation.duplicate_threshold
    stored = open_signatures(ctx.session, ctx.campaign.id, COMPARED)
    earlier: dict[int, str] = {}  # line → signature of the good rows so far
    checked = []
    for raw in rows:
        row = _check_fields(ctx, raw, model.signature(raw.text))
        if row.good and (found := model.likely_duplicates(row.signature, earlier, threshold, limit=1)):
            row = _with(row, Problem("import_duplicate_in_file", {"line": found[0].key}))
        if row.good and (found := model.likely_duplicates(row.signature, stored, threshold, limit=1)):
            code = ctx.session.get_one(Question, found[0].key).code
            row = _with(row, Problem("import_duplicate_stored", {"code": code}))
        if row.good:
            earlier[row.line] = row.signature
        checked.append(row)
    return Preview(tuple(checked))


def _check_fields(ctx: Job, raw: RawRow, signature: str) -> CheckedRow:
    settings, problems = ctx.settings, []
    districts = districts_named(settings.districts, raw.district) if raw.district else []
    if not raw.district:
        problems.append(Problem("import_district_missing"))
    elif len(districts) != 1:
        problems.append(Problem("import_district_unknown" if not districts else "import_district_ambiguous",
                                {"district": raw.district, "fitting": ", ".join(d.name for d in districts)}))
    category = category_named(settings.categories, raw.category) if raw.category else None
    if raw.category and category is None:
        problems.append(Problem("import_category_unknown", {"category": raw.category}))
    text, limits = " ".join(raw.text.split()), settings.limits
    if not text:
        problems.append(Problem("import_text_missing"))
    elif len(text) < limits.min_question_chars:
        problems.append(Problem("import_text_short", {"length": len(text), "minimum": limits.min_question_chars}))
    elif len(text) > limits.max_question_chars:
        problems.append(Problem("import_text_long", {"length": len(text), "maximum": limits.max_question_chars}))
    if category is None and text and not raw.category:  # an empty field: the bot's suggestion, as in the chat
        category = settings.category(ctx.services.understanding.model(ctx.session).suggest(text)[0].key)
    return CheckedRow(raw.line, text, districts[0].key if len(districts) == 1 else None,
                      category.key if category else None, raw.asker.strip(), signature, tuple(problems))


def _with(row: CheckedRow, problem: Problem) -> CheckedRow:
    return CheckedRow(row.line, row.text, row.district_key, row.category_key, row.asker, row.signature,
                      (*row.problems, problem))


def confirm(ctx: Job, rows: Sequence[RawRow], label: str, file_name: str, actor: str) -> list[Question]:
    """Check again (the stored questions may have changed since the preview) and import every good row.

    The caller's transaction holds all of it: a failure on any row leaves nothing imported."""
    preview = check(ctx, rows)
    if not preview.good:
        return []
    source = _new_source(ctx, label, file_name, actor)
    imported = [_import_row(ctx, source, row, actor) for row in preview.good]
    for question in imported:
        _route(ctx, question, actor)
    return imported


def _new_source(ctx: Job, label: str, file_name: str, actor: str) -> QuestionSource:
    """The source and its placeholder asker: no chat, no consent, never in a broadcast's audience."""
    person = Person(created_at=ctx.now, language=ctx.settings.default_language)
    account = Account(person=person, platform=PLATFORM, user_id="", chat_id="", display_name=label,
                      state=AccountState.IDLE, window_count=0, created_at=ctx.now, subscribed=False)
    ctx.session.add(account)
    ctx.session.flush()
    account.user_id = f"source-{account.id}"
    source = QuestionSource(campaign_id=ctx.campaign.id, kind=PLATFORM, label=label, file_name=file_name,
                            account=account, imported_by=actor, imported_at=ctx.now)
    ctx.session.add(source)
    ctx.session.flush()
    return source


def _import_row(ctx: Job, source: QuestionSource, row: CheckedRow, actor: str) -> Question:
    assert row.district_key is not None and row.category_key is not None
    number, code = allocate_code(ctx.session, ctx.campaign)
    question = Question(
        campaign_id=ctx.campaign.id, number=number, code=code, account=source.account, source=source,
        district_key=row.district_key, category_key=row.category_key, suggested_category_key=row.category_key,
        language=ctx.services.detector.detect(row.text), text=row.text, status=QuestionStatus.RECEIVED,
        created_at=ctx.now, accepted_at=ctx.now, asker_name=row.asker or None,
    )
    ctx.session.add(question)
    add_event(question, "received", ctx.now, actor, category=row.category_key, source=source.label, line=row.line)
    question_terms.sign(ctx.session, question, row.signature, ctx.services.understanding.index_terms(row.signature))
    return question


def _route(ctx: Job, question: Question, actor: str) -> None:
    """As a chat question is once accepted: to the Youth Union's review first when it is required."""
    if ctx.settings.curation.approval_required:
        curation.hold_for_review(ctx, question.account, question)
    else:
        routing.forward(ctx, question, actor=actor)


def describe(ctx: Writer, preview: Preview, file_name: str) -> list[str]:
    """The preview as plain lines, staff's language: the count, each bad row with its reasons, the good rows."""
    language, settings = ctx.staff_language, ctx.settings

    def line(key: str, **values: object) -> str:
        return plain_text(ctx.text(language, key, **values))

    lines = [line("import_preview_header", file=file_name, good=len(preview.good), bad=len(preview.bad))]
    for row in preview.bad:
        reasons = "; ".join(line(problem.key, **problem.values) for problem in row.problems)
        lines.append(line("import_preview_bad", line=row.line, reasons=reasons, text=preview_text(row.text, 60)))
    for row in preview.good:
        district, category = settings.district(row.district_key or ""), settings.category(row.category_key or "")
        lines.append(line("import_preview_good", line=row.line, district=district.name if district else "",
                          category=category.name(language) if category else "", text=preview_text(row.text, 60)))
    return lines


def import_questions(job: Job, actor: Actor, args: Args) -> Outcome:
    """The action (actions/table.py) the command line and the console perform: the preview of `rows`, or
    with `confirm` the import of every good row; either way the preview's lines are in `html`."""
    rows, source, file_name = args["rows"], " ".join(str(args["source"]).split()), args["file_name"]
    if not source:
        return invalid("import_source_missing")
    preview = check(job, rows)
    lines = describe(job, preview, file_name)
    if not args.get("confirm"):
        lines.append(plain_text(job.text(job.staff_language, "import_preview_hint", good=len(preview.good))))
        return replace(done("import_preview_header", file=file_name, good=len(preview.good), bad=len(preview.bad)),
                       html=Html("\n".join(lines)))
    imported = confirm(job, rows, source, file_name, actor.who)
    if not imported:
        return replace(refused("import_nothing"), html=Html("\n".join(lines)))
    summary = job.text(job.staff_language, "import_done", count=len(imported), first=imported[0].code,
                       last=imported[-1].code, source=source, bad=len(preview.bad))
    return replace(done("import_done"), html=Html("\n".join([*lines, plain_text(summary)])),
                   detail={"source": source, "source_id": imported[0].source_id, "file": file_name,
                           "imported": len(imported), "bad": len(preview.bad)})
