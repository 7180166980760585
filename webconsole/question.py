"""What a question's page shows, read in one transaction: never the asker's platform id, and their
name only where `show_identity_to_departments` allows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Settings
from handlers.context import Services, Writer
from handlers.curation import likely_duplicates
from storage import audit
from storage.commitments import shown_status
from storage.models import (
    OPEN_STATUSES,
    Answer,
    AnswerSource,
    AuditEntry,
    Commitment,
    Question,
    QuestionEvent,
    QuestionSupport,
    StaffMember,
    StaffRole,
)
from storage.models import QuestionStatus as S
from webconsole.acting import offered_actions
from webconsole.auth import Staff

Translate = Callable[..., Markup]

@dataclass
class Entry:
    at: str
    label: Markup
    actor: Markup
    note: str = ""


@dataclass
class Promise:
    """A commitment recorded on the question, as its page lists it."""

    what: str
    department: str
    due: str
    status: str  # pending, in_progress, done or overdue


@dataclass
class QuestionView:
    code: str
    text: str
    original_text: str | None
    status: Markup
    district: str
    category: str
    department: str
    department_key: str | None
    asked_at: str
    deadline: Markup  # empty once the question is closed
    asker: str
    supporters: int
    merged_into: str | None
    published: bool
    duplicates: list[dict[str, object]] = field(default_factory=list)
    answers: list[Entry] = field(default_factory=list)
    history: list[Entry] = field(default_factory=list)
    audit: list[Entry] = field(default_factory=list)
    commitments: list[Promise] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    departments: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""  # the offline import's label; empty for a chat question


def question_view(session: Session, services: Services, now: datetime, staff: Staff, question: Question,
                  t: Translate, language: str) -> QuestionView:
    settings = services.settings
    writer = Writer(services, session, now)
    category = settings.category(question.category_key or "")
    members = {m.account: m for m in session.scalars(select(StaffMember))}
    return QuestionView(
        code=question.code or "",
        text=question.text,
        original_text=question.original_text,
        status=t(f"status_{question.status}"),
        district=_name(settings.district(question.district_key), question.district_key),
        category=category.name(language) if category else "",
        department=department_name(settings, question.department_key),
        department_key=question.department_key,
        asked_at=writer.local(question.accepted_at or question.created_at),
        deadline=_deadline(writer, t, language, question),
        asker=question.account.display_name if settings.show_identity_to_departments else "",
        supporters=session.scalar(select(func.count()).select_from(QuestionSupport)
                                  .where(QuestionSupport.question_id == question.id)) or 0,
        merged_into=_code(session, question.merged_into_id),
        published=question.published_at is not None,
        duplicates=_duplicates(session, services, question, writer, language),
        answers=[_answer(writer, t, settings, answer) for answer in question.answers],
        history=[_event(writer, t, settings, question, members, event) for event in question.events],
        audit=[_audited(writer, t, entry) for entry in audit.history(session, question.id)],
        commitments=_commitments(session, writer, question),
        actions=offered_actions(staff, question),
        departments=[(d.key, d.name) for d in settings.departments if d.key != question.department_key],
        source=question.source.label if question.source else "",
    )


def _deadline(writer: Writer, t: Translate, language: str, question: Question) -> Markup:
    """The deadline and what is left of it while the question waits for its answer."""
    if question.status not in OPEN_STATUSES:
        return Markup("")
    deadline = writer.deadline(language, question)
    return Markup(deadline) if deadline else t("console_q_no_deadline")


def department_name(settings: Settings, key: str | None) -> str:
    department = settings.department(key or "")
    return department.name if department else ""


def _name(item: object, fallback: str) -> str:
    return getattr(item, "name", None) or fallback


def _code(session: Session, question_id: int | None) -> str | None:
    return session.get_one(Question, question_id).code if question_id else None


def _duplicates(session: Session, services: Services, question: Question, writer: Writer,
                language: str) -> list[dict[str, object]]:
    if question.status not in (S.IN_REVIEW, S.RECEIVED, S.FORWARDED):
        return []
    settings = services.settings
    return [{"code": other.code, "text": other.text, "score": round(match.score * 100),
             "district": _name(settings.district(other.district_key), other.district_key),
             "status": writer.text(language, f"status_{other.status}")}
            for other, match in likely_duplicates(session, services, question)]


def _commitments(session: Session, writer: Writer, question: Question) -> list[Promise]:
    """What was promised in answer to it, in the order recorded, with the status /console/commitments shows."""
    today = writer.local_today()
    return [Promise(c.what, department_name(writer.settings, c.department_key) or c.department_key,
                    c.due_on.strftime("%d/%m/%Y"), shown_status(c, today))
            for c in session.scalars(select(Commitment).where(Commitment.question_id == question.id)
                                     .order_by(Commitment.id))]


def _answer(writer: Writer, t: Translate, settings: Settings, answer: Answer) -> Entry:
    at = writer.local(answer.edited_at or answer.created_at)
    if answer.source == AnswerSource.LIVE:
        label = t("console_q_answer_live", speaker=answer.speaker, at=at)
    else:
        label = t("console_q_answer_by", department=department_name(settings, answer.department_key), at=at)
    return Entry(at, label, Markup(""), answer.text)


def _event(writer: Writer, t: Translate, settings: Settings, question: Question,
           members: dict[str, StaffMember], event: QuestionEvent) -> Entry:
    detail = event.detail or {}
    key = f"console_event_{event.kind}"
    if key not in writer.services.texts.keys(writer.staff_language):
        key = "console_event_other"
    names = {name: department_name(settings, detail.get(name)) for name in ("department", "source", "target")}
    return Entry(writer.local(event.at), t(key, **names), actor_label(t, settings, question, members, event.actor),
                 str(detail.get("reason") or ""))


def _audited(writer: Writer, t: Translate, entry: AuditEntry) -> Entry:
    """A staff action from the audit log: what, who (the label staff read), from where, and what came of it,
    in the words of the chat's /audit (the `action_`, `surface_` and `audit_status_` labels)."""
    role = writer.label("role", entry.role)
    note = f"{writer.label('surface', entry.surface)}, {writer.label('audit_status', entry.status)}"
    return Entry(writer.local(entry.at), Markup(writer.label("action", entry.action)), Markup(entry.label or role),
                 note)


def actor_label(t: Translate, settings: Settings, question: Question, members: dict[str, StaffMember],
                actor: str) -> Markup:
    """Who did it, as staff may read it: a role and department, "the asker", never a platform id."""
    if actor in ("", "bot"):
        return t("console_actor_system")
    if actor == question.account.key:
        return t("console_actor_asker")
    member = members.get(actor)
    if member is None:
        return t("console_actor_staff")
    if member.role == StaffRole.OFFICER:
        return t("console_role_officer", department=department_name(settings, member.department_key))
    return t(f"console_role_{member.role}")
