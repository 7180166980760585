"""Broadcasts: an admin composes in a private chat, picks the audience, previews, confirms.

Buttons carry `bc:<id>:<verb>[:<argument>]`; typed input (the text, a link, a time) goes to
the admin's draft, whose `awaiting` says what was asked for. Sending itself is the pump's
work (scheduler/broadcasts.py); this module also writes the progress and final reports.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import nh3

from actions.buttons import button
from actions.model import Actor, Args, Outcome, Status, done, invalid, refused
from core.messages import Button, ChatRef, MediaKind
from core.texts import Html, escape, plain_text, preview
from handlers.context import Context, Job, Writer
from storage import broadcasts as store
from storage.models import Broadcast, BroadcastAwaiting, BroadcastKind, BroadcastStatus

SAFE_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}
FILE_KINDS = (MediaKind.PHOTO, MediaKind.DOCUMENT)
LINK = re.compile(r"^(?P<label>[^|]{1,64}?)\s*\|\s*(?P<url>https?://\S+)$")
LINK_URL = re.compile(r"^https?://\S+$")
WHEN = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:/(?P<year>\d{4}))?"
                  r"\s+(?P<hour>\d{1,2})[:h](?P<minute>\d{2})$")


def safe_html(ctx: Context) -> str:
    """The admin's formatting where the platform passed it on, limited to what every chat shows."""
    return clean_html(ctx.incoming.html) if ctx.incoming.html else escape(ctx.incoming.text)


def clean_html(html: str) -> str:
    """Only the tags every chat shows (the web console's form is written in the same markup)."""
    return nh3.clean(html, tags=SAFE_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https"}, link_rel=None)


# --- commands ----------------------------------------------------------------------------

def compose(ctx: Context, actor: Actor, args: Args) -> Outcome | None:
    """`/broadcast`: start a new draft (one per admin), in the admin's private chat; `/broadcast WORD`
    that names no other broadcast action gets the usage."""
    if args["unknown"]:
        return invalid("broadcast_usage")
    _drop_draft(ctx)
    ctx.session.add(Broadcast(campaign_id=ctx.campaign.id, author=actor.who, author_chat=str(ctx.incoming.chat),
                              awaiting=BroadcastAwaiting.TEXT, created_at=ctx.now))
    return done("broadcast_compose")


def _numbered(job: Job, args: Args) -> Broadcast | Outcome:
    number = str(args["id"]).lstrip("#")
    broadcast = job.session.get(Broadcast, int(number)) if number.isdigit() else None
    return broadcast if broadcast is not None else invalid("broadcast_unknown", id=number or "?")


def edit(ctx: Context, actor: Actor, args: Args) -> Outcome | None:
    found = _numbered(ctx, args)
    return found if isinstance(found, Outcome) else start_correction(ctx, actor, found, BroadcastKind.EDIT)


def delete(ctx: Context, actor: Actor, args: Args) -> Outcome | None:
    found = _numbered(ctx, args)
    return found if isinstance(found, Outcome) else start_correction(ctx, actor, found, BroadcastKind.DELETE)


def start_correction(ctx: Context, actor: Actor, original: Broadcast, kind: BroadcastKind) -> Outcome | None:
    language = ctx.staff_language
    finished = (BroadcastStatus.DONE, BroadcastStatus.CANCELLED)  # a broadcast still sending is cancelled first
    if original.kind != BroadcastKind.MESSAGE or original.status not in finished:
        return refused("broadcast_wrong_state", id=original.id, status=_status(ctx, original))
    _drop_draft(ctx)
    correction = Broadcast(campaign_id=ctx.campaign.id, kind=kind, corrects_id=original.id,
                           author=actor.who, author_chat=str(ctx.incoming.chat),
                           link_label=original.link_label, link_url=original.link_url, created_at=ctx.now,
                           awaiting=BroadcastAwaiting.TEXT if kind == BroadcastKind.EDIT
                           else BroadcastAwaiting.NOTHING)
    ctx.session.add(correction)
    ctx.session.flush()
    if kind == BroadcastKind.EDIT:
        return done("broadcast_ask_edit", id=original.id)
    copies = store.tally(ctx.session, original.id).delivered
    ctx.reply(language, "broadcast_confirm_delete", _buttons(ctx, correction, ("send", "broadcast_button_delete"),
                                                             ("drop", "broadcast_button_cancel")),
              id=original.id, count=copies)
    return None


def _drop_draft(ctx: Context) -> None:
    """One draft per admin: starting again forgets the unfinished one."""
    if (draft := store.draft_of(ctx.session, ctx.incoming.account_key)) is not None:
        draft.status = BroadcastStatus.CANCELLED
        draft.finished_at = ctx.now


# --- typed input ---------------------------------------------------------------------------

def wants_input(ctx: Context) -> bool:
    """Whether this private message answers an admin's draft (checked before the youth flows)."""
    if ctx.incoming.button_data or ctx.incoming.edited:
        return False
    draft = store.draft_of(ctx.session, ctx.incoming.account_key)
    return draft is not None and draft.awaiting != BroadcastAwaiting.NOTHING


def abandon(ctx: Context) -> None:
    """/cancel while the draft waits for typed input."""
    draft = store.draft_of(ctx.session, ctx.incoming.account_key)
    assert draft is not None
    _drop_draft(ctx)
    ctx.reply(ctx.staff_language, "broadcast_dropped", id=draft.id)


def receive_input(ctx: Context) -> None:
    draft = store.draft_of(ctx.session, ctx.incoming.account_key)
    assert draft is not None
    if draft.awaiting == BroadcastAwaiting.TEXT:
        receive_text(ctx, draft)
    elif draft.awaiting == BroadcastAwaiting.LINK:
        receive_link(ctx, draft)
    elif draft.awaiting == BroadcastAwaiting.TIME:
        receive_time(ctx, draft)


def receive_text(ctx: Context, draft: Broadcast) -> None:
    files = [a for a in ctx.incoming.attachments if a.kind in FILE_KINDS]
    unusable = [a for a in ctx.incoming.attachments if a.kind not in FILE_KINDS]
    if unusable or (not ctx.incoming.text.strip() and not files):
        ctx.reply(ctx.staff_language, "broadcast_empty" if not unusable else "broadcast_file_kind")
        return
    draft.html = safe_html(ctx)
    if files:
        file = files[0]
        draft.attachment = {"platform": ctx.incoming.platform, "kind": str(file.kind), "file_ref": file.file_ref,
                            "file_name": file.file_name}
    draft.awaiting = BroadcastAwaiting.NOTHING
    if draft.kind == BroadcastKind.EDIT:
        show_preview(ctx, draft)
    else:
        show_audience(ctx, draft)


def receive_link(ctx: Context, draft: Broadcast) -> None:
    match = LINK.match(ctx.incoming.text.strip())
    if match is None:
        ctx.reply(ctx.staff_language, "broadcast_link_invalid")
        return
    draft.link_label, draft.link_url = match["label"].strip(), match["url"]
    draft.awaiting = BroadcastAwaiting.NOTHING
    show_preview(ctx, draft)


def receive_time(ctx: Context, draft: Broadcast) -> None:
    moment = parse_moment(ctx.incoming.text.strip(), ctx.now, ctx.settings.timezone)
    if moment is None or moment <= ctx.now:
        ctx.reply(ctx.staff_language, "broadcast_time_invalid", now=ctx.local(ctx.now))
        return
    draft.send_at = moment
    draft.awaiting = BroadcastAwaiting.NOTHING
    draft.status = BroadcastStatus.SCHEDULED
    draft.planned = store.count_audience(ctx.session, draft)
    ctx.reply(ctx.staff_language, "broadcast_scheduled", id=draft.id, at=ctx.local(moment), count=draft.planned)


def parse_moment(text: str, now: datetime, zone: object) -> datetime | None:
    """'20/03 08:00' or '20/03/2023 8h00', local time; the year defaults to the next such date."""
    match = WHEN.match(text)
    if match is None:
        return None
    local_now = now.astimezone(zone)  # type: ignore[arg-type]
    try:
        moment = local_now.replace(year=int(match["year"] or local_now.year), month=int(match["month"]),
                                   day=int(match["day"]), hour=int(match["hour"]), minute=int(match["minute"]),
                                   second=0, microsecond=0)
    except ValueError:
        return None
    if match["year"] is None and moment < local_now:
        moment = moment.replace(year=moment.year + 1)
    return moment


# --- buttons -------------------------------------------------------------------------------

def own_draft(ctx: Context, actor: Actor, args: Args) -> Broadcast | None:
    """The draft a button belongs to, if the one pressing it is composing it; else the button is stale."""
    number = args["id"] or ""
    broadcast = ctx.session.get(Broadcast, int(number)) if number.isdigit() else None
    if broadcast is None or broadcast.author != actor.who or broadcast.status != BroadcastStatus.DRAFT:
        ctx.reply(ctx.staff_language, "button_stale")
        return None
    return broadcast


def to_everyone(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        broadcast.districts, broadcast.language = [], None
        show_audience(ctx, broadcast)


def toggle_language(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        code = args["argument"]
        broadcast.language = None if broadcast.language == code else code
        show_audience(ctx, broadcast)


def toggle_district(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        broadcast.districts = sorted(set(broadcast.districts) ^ {args["argument"]})
        show_audience(ctx, broadcast)


def next_step(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        show_preview(ctx, broadcast)


def ask_link(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        broadcast.awaiting = BroadcastAwaiting.LINK
        ctx.reply(ctx.staff_language, "broadcast_ask_link")


def ask_time(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        broadcast.awaiting = BroadcastAwaiting.TIME
        ctx.reply(ctx.staff_language, "broadcast_ask_time", now=ctx.local(ctx.now))


def send(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        send_now(ctx, broadcast)


def drop(ctx: Context, actor: Actor, args: Args) -> None:
    if (broadcast := own_draft(ctx, actor, args)) is not None:
        _drop_draft(ctx)
        ctx.reply(ctx.staff_language, "broadcast_dropped", id=broadcast.id)


def send_now(ctx: Context, broadcast: Broadcast) -> None:
    language = ctx.staff_language
    if broadcast.kind == BroadcastKind.MESSAGE:
        broadcast.planned = store.count_audience(ctx.session, broadcast)
    else:
        broadcast.planned = store.tally(ctx.session, broadcast.corrects_id or 0).delivered
    store.set_status(ctx.session, broadcast, BroadcastStatus.SENDING, only_from=(BroadcastStatus.DRAFT,), now=ctx.now)
    ctx.reply(language, "broadcast_started", id=broadcast.id, count=broadcast.planned)


# --- what the admin sees -------------------------------------------------------------------

def show_audience(ctx: Context, broadcast: Broadcast) -> None:
    language = ctx.staff_language
    mark = "✓ "
    rows: list[tuple[Button, ...]] = [
        (_button(ctx, ("" if broadcast.districts or broadcast.language else mark)
                 + ctx.services.texts.plain(language, "broadcast_button_everyone"), "broadcast_everyone", broadcast),),
        tuple(_button(ctx, ("✓ " if broadcast.language == code else "") + _readers_of(ctx, code),
                      "broadcast_language", broadcast, code) for code in ctx.settings.languages),
    ]
    districts = [_button(ctx, ("✓ " if d.key in broadcast.districts else "") + d.name, "broadcast_district",
                         broadcast, d.key) for d in ctx.settings.districts]
    rows += [tuple(districts[i:i + 2]) for i in range(0, len(districts), 2)]
    rows.append((_button(ctx, ctx.services.texts.plain(language, "broadcast_button_next"), "broadcast_next",
                         broadcast),))
    ctx.reply(language, "broadcast_audience", tuple(rows), id=broadcast.id, audience=describe_audience(ctx, broadcast),
              count=store.count_audience(ctx.session, broadcast))


def describe_audience(writer: Writer, broadcast: Broadcast) -> Html:
    language = writer.staff_language
    parts = []
    if broadcast.districts:
        names = [d.name for d in writer.settings.districts if d.key in broadcast.districts]
        parts.append(writer.text(language, "broadcast_audience_districts", names=", ".join(names)))
    if broadcast.language:
        parts.append(writer.text(language, "broadcast_audience_language", code=_readers_of(writer, broadcast.language)))
    return Html("; ".join(parts)) if parts else writer.text(language, "broadcast_audience_all")


def _readers_of(writer: Writer, code: str) -> str:
    """'Người dùng tiếng Anh', not 'EN'."""
    language = writer.staff_language
    return writer.text(language, "broadcast_readers", language_name=writer.text(language, f"language_{code}"))


def show_preview(ctx: Context, broadcast: Broadcast) -> None:
    """The message exactly as recipients will see it, then what will happen and the choices."""
    language = ctx.staff_language
    copy = store.message_for(broadcast, ctx.incoming.chat)
    ctx.send(ctx.incoming.chat, copy.html, copy.buttons, attachments=copy.attachments)
    if broadcast.kind == BroadcastKind.MESSAGE:
        count = store.count_audience(ctx.session, broadcast)
        buttons = _buttons(ctx, broadcast, ("send", "broadcast_button_send"), ("schedule", "broadcast_button_schedule"),
                           ("link", "broadcast_button_link"), ("drop", "broadcast_button_cancel"))
        ctx.reply(language, "broadcast_preview", buttons, id=broadcast.id, count=count,
                  audience=describe_audience(ctx, broadcast))
    else:
        count = store.tally(ctx.session, broadcast.corrects_id or 0).delivered
        buttons = _buttons(ctx, broadcast, ("send", "broadcast_button_send"), ("drop", "broadcast_button_cancel"))
        ctx.reply(language, "broadcast_preview_edit", buttons, id=broadcast.corrects_id, count=count)


def _buttons(ctx: Context, broadcast: Broadcast, *choices: tuple[str, str]) -> tuple[tuple[Button, ...], ...]:
    """One button a row: (step, label key); the step names the action `broadcast_<step>`."""
    plain = ctx.services.texts.plain
    return tuple((_button(ctx, plain(ctx.staff_language, key), f"broadcast_{step}", broadcast),)
                 for step, key in choices)


def _button(ctx: Context, label: str, action: str, broadcast: Broadcast, argument: str = "") -> Button:
    return button(ctx.session, label, action, broadcast.id, *([argument] if argument else []))


def show_list(job: Job, actor: Actor, args: Args) -> Outcome:
    language = job.staff_language
    items = [job.text(language, "broadcast_list_item", id=b.id, status=_status(job, b),
                      delivered=store.tally(job.session, b.id).delivered, planned=b.planned,
                      text=preview(plain_text(b.html), 60)) for b in store.recent(job.session)]
    if not items:
        return done("broadcast_list_empty")
    return Outcome(Status.DONE, "broadcast_list_header",
                   html=Html("\n".join([job.text(language, "broadcast_list_header"), *items])))


def show_status(job: Job, actor: Actor, args: Args) -> Outcome:
    found = _numbered(job, args)
    if isinstance(found, Outcome):
        return found
    progress = progress_text(job, found, store.tally(job.session, found.id))
    return Outcome(Status.DONE, "broadcast_progress", html=progress)


def pause(job: Job, actor: Actor, args: Args) -> Outcome:
    return _pause(job, args, paused=True)


def resume(job: Job, actor: Actor, args: Args) -> Outcome:
    return _pause(job, args, paused=False)


def _pause(job: Job, args: Args, paused: bool) -> Outcome:
    broadcast = _numbered(job, args)
    if isinstance(broadcast, Outcome):
        return broadcast
    old, new = ((BroadcastStatus.SENDING, BroadcastStatus.PAUSED) if paused
                else (BroadcastStatus.PAUSED, BroadcastStatus.SENDING))
    if not store.set_status(job.session, broadcast, new, only_from=(old,), now=job.now):
        return refused("broadcast_wrong_state", id=broadcast.id, status=_status(job, broadcast))
    store.hold_copies(job.session, broadcast.id, held=paused, now=job.now)
    return done("broadcast_paused" if paused else "broadcast_resumed", id=broadcast.id)


def cancel(job: Job, actor: Actor, args: Args) -> Outcome:
    broadcast = _numbered(job, args)
    if isinstance(broadcast, Outcome):
        return broadcast
    cancellable = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED)
    if not store.set_status(job.session, broadcast, BroadcastStatus.CANCELLED, only_from=cancellable, now=job.now):
        return refused("broadcast_wrong_state", id=broadcast.id, status=_status(job, broadcast))
    store.cancel_copies(job.session, broadcast.id)
    tally = store.tally(job.session, broadcast.id)
    broadcast.report = tally.to_json()
    return done("broadcast_cancelled", id=broadcast.id, delivered=tally.delivered)


# --- reports (written by the pump) ---------------------------------------------------------

def progress_text(writer: Writer, broadcast: Broadcast, tally: store.Tally) -> Html:
    remaining = max(broadcast.planned - tally.delivered - tally.failed_total - tally.cancelled, tally.waiting)
    return writer.text(writer.staff_language, "broadcast_progress", id=broadcast.id, status=_status(writer, broadcast),
                       sent=tally.delivered, failed=tally.failed_total, remaining=remaining,
                       eta=_eta(writer, broadcast, tally, remaining))


def _eta(writer: Writer, broadcast: Broadcast, tally: store.Tally, remaining: int) -> Html:
    language = writer.staff_language
    done = tally.delivered + tally.failed_total
    elapsed = (writer.now - broadcast.started_at).total_seconds() if broadcast.started_at else 0
    if remaining == 0:
        return writer.text(language, "broadcast_eta_none")
    if done == 0 or elapsed <= 0:
        return writer.text(language, "broadcast_eta_unknown")
    seconds = remaining * elapsed / done
    return writer.text(language, "broadcast_eta", minutes=max(1, round(seconds / 60)))


def quarter_reached(broadcast: Broadcast, done: int) -> int:
    """How many quarters of the audience `done` copies make; none once all are done (the
    final report follows). The pump reports progress each time this grows."""
    if done >= broadcast.planned:
        return 0
    return 4 * done // broadcast.planned


def report_progress(writer: Writer, broadcast: Broadcast, tally: store.Tally) -> None:
    _tell_author(writer, broadcast, progress_text(writer, broadcast, tally))


def report_final(writer: Writer, broadcast: Broadcast, tally: store.Tally) -> None:
    language = writer.staff_language
    reasons = [writer.text(language, "broadcast_reason", reason=reason, count=count)
               for reason, count in sorted(tally.failed.items()) if reason != "blocked"]
    broadcast.report = tally.to_json()
    key = "broadcast_report" if broadcast.kind == BroadcastKind.MESSAGE else "broadcast_report_correction"
    _tell_author(writer, broadcast, writer.text(
        language, key, id=broadcast.corrects_id or broadcast.id, delivered=tally.delivered, blocked=tally.blocked,
        failed=tally.failed_total - tally.blocked, reasons=Html("\n".join(reasons)),
        minutes=_minutes(broadcast.started_at, writer.now)))


def report_started(writer: Writer, broadcast: Broadcast) -> None:
    _tell_author(writer, broadcast, writer.text(writer.staff_language, "broadcast_started", id=broadcast.id,
                                                count=broadcast.planned))


def _tell_author(writer: Writer, broadcast: Broadcast, html: Html) -> None:
    """In the chat the broadcast was composed in; one sent from the web console has none (its page shows it)."""
    if broadcast.author_chat:
        writer.send(ChatRef.parse(broadcast.author_chat), html)


def _minutes(start: datetime | None, end: datetime) -> int:
    return round((end - (start or end)) / timedelta(minutes=1))


def _status(writer: Writer, broadcast: Broadcast) -> Html:
    return writer.text(writer.staff_language, f"status_broadcast_{broadcast.status}")
