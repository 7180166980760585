"""/audit [CODE]: what staff did lately (to one question), as staff may read it: labels, never a young
person's platform id (the audit keeps none)."""

from __future__ import annotations

from sqlalchemy import select

from actions.model import Actor, Args, Outcome, Status, done
from core.texts import Html
from handlers.context import Job
from storage import audit
from storage.models import AuditEntry, Question


def show(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question | None = args["question"]
    entries = list(audit.history(job.session, question.id))[-20:] if question else audit.recent(
        job.session, job.campaign.id)
    if not entries:
        return done("audit_empty")
    language = job.staff_language
    codes = dict(job.session.execute(select(Question.id, Question.code).where(
        Question.id.in_({e.question_id for e in entries if e.question_id}))).all())
    lines = [job.text(language, "audit_header", count=len(entries))]
    lines += [line(job, entry, codes.get(entry.question_id or 0) or "–") for entry in entries]
    return Outcome(Status.DONE, "audit_header", html=Html("\n".join(lines)))


def line(job: Job, entry: AuditEntry, code: str) -> Html:
    language = job.staff_language
    return job.text(language, "audit_item", at=job.local(entry.at), action=job.label("action", entry.action),
                    code=code, who=entry.label or job.label("role", entry.role),
                    surface=job.label("surface", entry.surface), status=job.label("audit_status", entry.status))
