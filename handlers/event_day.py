"""The dialogue itself: pick and order the questions for the leaders, and record their answers live.

A live answer is an `Answer` with source "live": the secretariat's summary of what a leader
said, delivered to the asker and everyone who supports the question, and kept for the report.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TextIO

from sqlalchemy.orm import Session

from actions.model import Actor, Args, Outcome, Status, done, invalid, refused
from core.config import Settings
from core.normalize import fold
from core.texts import Html, preview
from handlers import routing
from handlers.context import Job, Writer
from handlers.followers import tell_supporters
from storage.curation import (
    CLOSED,
    agenda,
    current_question,
    event_candidates,
    live_answer,
    lock_agenda,
    set_current,
    support_counts,
)
from storage.models import Answer, AnswerRevision, AnswerSource, LinkRole, Question, QuestionStatus
from storage.questions import add_event, find_by_code


@dataclass(frozen=True)
class Candidate:
    id: int
    district: str
    category: str
    support: int


def balanced_selection(candidates: Sequence[Candidate], size: int) -> list[Candidate]:
    """Most supported first, each already chosen question of the same district or category weighing against.

    The next pick has the highest (supporters + 1) / (1 + chosen from its district + chosen in its
    category); ties go to the oldest question.
    """
    chosen: list[Candidate] = []
    districts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    remaining = list(candidates)
    while remaining and len(chosen) < size:
        best = max(remaining, key=lambda c: ((c.support + 1) / (1 + districts[c.district] + categories[c.category]),
                                             -c.id))
        remaining.remove(best)
        chosen.append(best)
        districts[best.district] += 1
        categories[best.category] += 1
    return chosen


def suggest(job: Job, actor: Actor, args: Args) -> Outcome:
    """/suggest [NUMBER] [category or district]: a balanced list to start from, not picked yet."""
    language = job.staff_language
    words = (args["filter"] or "").split()
    size = next((int(a) for a in words if a.isdigit()), job.settings.curation.agenda_size)
    wanted = " ".join(a for a in words if not a.isdigit())
    found = suggestions(job.session, job.settings, job.campaign.id, size, wanted)
    if found is None:
        return invalid("suggest_filter_unknown", name=wanted)
    if not found:
        return done("suggest_empty")
    lines = [job.text(language, "suggest_header", count=len(found))]
    lines += [item(job, rank, q, support) for rank, (q, support) in enumerate(found, 1)]
    lines.append(job.text(language, "suggest_pick_hint", codes=" ".join(q.code or "" for q, _ in found)))
    return Outcome(Status.DONE, "suggest_header", html=Html("\n\n".join(lines)))


def suggestions(session: Session, settings: Settings, campaign_id: int, size: int,
                wanted: str = "") -> list[tuple[Question, int]] | None:
    """Up to `size` questions not picked yet, balanced by district and category (`balanced_selection`),
    each with its supporters; `wanted` keeps a category's or a district's (None when it names neither)."""
    questions = list(event_candidates(session, campaign_id))
    if wanted:
        keys = matching_keys(settings, wanted)
        if not keys:
            return None
        questions = [q for q in questions if q.category_key in keys or q.district_key in keys]
    supports = support_counts(session, [q.id for q in questions])
    by_id = {q.id: q for q in questions}
    chosen = balanced_selection([Candidate(q.id, q.district_key, q.category_key or "", supports.get(q.id, 0))
                                 for q in questions], size)
    return [(by_id[c.id], c.support) for c in chosen]


def matching_keys(settings: Settings, wanted: str) -> set[str]:
    """Category and district keys named by key or by (part of) their name, without diacritics."""
    folded = fold(wanted)
    named = [(c.key, [c.key, *c.names.values()]) for c in settings.categories]
    named += [(d.key, [d.key, d.name]) for d in settings.districts]
    return {key for key, names in named if any(folded == fold(n) or folded in fold(n) for n in names)}


def item(ctx: Writer, rank: int, question: Question, support: int, live: bool = False) -> Html:
    language = ctx.staff_language
    district = ctx.settings.district(question.district_key)
    category = ctx.settings.category(question.category_key or "")
    return ctx.text(language, "agenda_item", rank=rank, code=question.code, support=support,
                    district=district.name if district else question.district_key,
                    category=category.name(language) if category else question.category_key,
                    mark=ctx.text(language, "agenda_live_mark") if live else Html(""), text=preview(question.text))


def agenda_listing(job: Job, notes: Sequence[Html] = ()) -> Outcome:
    """The list for the day, in order, each with its supporters and whether it was answered live; `notes`
    (what could not be picked) above it."""
    language = job.staff_language
    questions = agenda(job.session, job.campaign.id)
    if not questions:
        return Outcome(Status.DONE, "agenda_empty", html=Html("\n".join([*notes, job.text(language, "agenda_empty")])))
    supports = support_counts(job.session, [q.id for q in questions])
    lines = [*notes, job.text(language, "agenda_header", count=len(questions))]
    lines += [item(job, q.event_rank or 0, q, supports.get(q.id, 0), live_answer(job.session, q.id) is not None)
              for q in questions]
    return Outcome(Status.DONE, "agenda_header", html=Html("\n\n".join(lines)))


def show_agenda(job: Job, actor: Actor, args: Args) -> Outcome:
    return agenda_listing(job)


def pick(job: Job, actor: Actor, args: Args) -> Outcome:
    """Put questions on the list, at its end, in the order named; each code that cannot be is said so."""
    language = job.staff_language
    lock_agenda(job.session, job.campaign.id)
    last = len(agenda(job.session, job.campaign.id))
    notes: list[Html] = []
    picked: list[int] = []
    for code in str(args["codes"]).split():
        question = find_by_code(job.session, code, job.campaign.id)
        if question is None:
            notes.append(job.text(language, "code_unknown", code=code))
        elif question.status in CLOSED:
            notes.append(job.text(language, "not_open", code=question.code,
                                  status=routing.status_name(job, language, question)))
        elif question.event_rank is not None:
            notes.append(job.text(language, "picked_already", code=question.code, rank=question.event_rank))
        else:
            last += 1
            question.event_rank = last
            picked.append(question.id)
            add_event(question, "picked", job.now, actor.who, rank=last)
    job.session.flush()
    listing = agenda_listing(job, notes)
    return Outcome(Status.DONE, listing.key, html=listing.html, question_id=picked[0] if len(picked) == 1 else None,
                   detail={"picked": picked})


def unpick_action(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    if question.event_rank is None:
        return refused("not_picked", question.id, code=question.code)
    unpick(job, question, actor.who)
    return replace(agenda_listing(job), question_id=question.id)


def unpick(ctx: Job, question: Question, actor: str) -> None:
    """Take a question off the list (also when it is declined or merged) and close the gap."""
    if question.event_rank is None:
        return
    lock_agenda(ctx.session, ctx.campaign.id)
    question.event_rank = None
    add_event(question, "unpicked", ctx.now, actor)
    ctx.session.flush()
    renumber(agenda(ctx.session, ctx.campaign.id))


def move(job: Job, actor: Actor, args: Args) -> Outcome:
    question: Question = args["question"]
    position: str = args["position"]
    lock_agenda(job.session, job.campaign.id)
    questions = list(agenda(job.session, job.campaign.id))
    if question.event_rank is None:
        return refused("not_picked", question.id, code=question.code)
    if not position.isdigit() or not 1 <= int(position) <= len(questions):
        return invalid("move_position_invalid", count=len(questions))
    questions.remove(question)
    questions.insert(int(position) - 1, question)
    renumber(questions)
    job.session.flush()
    return replace(agenda_listing(job), question_id=question.id)


def renumber(questions: Sequence[Question]) -> None:
    for rank, question in enumerate(questions, 1):
        question.event_rank = rank


def present(job: Job, actor: Actor, args: Args) -> Outcome:
    """Put a question of the agenda on the hall's screen (the console's projector view): the one named,
    else the next (or `step` "previous") after the one shown; the first when none is shown yet."""
    lock_agenda(job.session, job.campaign.id)
    questions = list(agenda(job.session, job.campaign.id))
    if not questions:
        return refused("agenda_empty")
    question: Question | None = args.get("question")
    if question is None:
        ids = [q.id for q in questions]
        current = current_question(job.session, job.campaign.id)
        index = ids.index(current.id) + (-1 if args.get("step") == "previous" else 1) if current else 0
        question = questions[max(0, min(index, len(questions) - 1))]
    elif question.event_rank is None:
        return refused("not_picked", question.id, code=question.code)
    set_current(job.session, job.campaign.id, question, job.now)
    return done("event_presented", question.id, code=question.code, rank=question.event_rank)


def choose_host(hosts: Sequence[str], words: list[str]) -> tuple[str, list[str]] | None:
    """The leader a /live credits, and the summary's words: `N SUMMARY` names the N-th host; with one
    host (or none configured) the number may be left out. None when it is missing or wrong."""
    if words and words[0].isdigit() and 1 <= int(words[0]) <= len(hosts) and len(words) > 1:
        return hosts[int(words[0]) - 1], words[1:]
    if len(hosts) <= 1:
        return (hosts[0] if hosts else ""), words
    return None


def record_live(job: Job, actor: Actor, args: Args) -> Outcome:
    """The secretariat's summary of a leader's answer, credited to that leader (the typist is kept as
    `officer`): in chat `N SUMMARY` names the N-th host, the web names the `speaker`; a second /live
    corrects the first."""
    question: Question = args["question"]
    language = job.staff_language
    if question.status in CLOSED:
        return refused("not_open", question.id, code=question.code,
                       status=routing.status_name(job, language, question))
    hosts = job.settings.campaign.hosts
    if args.get("speaker"):  # named by the web's form (a host chosen, or a name typed)
        speaker, summary = str(args["speaker"]), str(args["summary"])
    elif (chosen := choose_host(hosts, str(args["summary"]).split())) is None:
        return invalid("live_choose_host", code=question.code,
                       hosts="\n".join(f"{n}. {host}" for n, host in enumerate(hosts, 1)))
    else:
        speaker, summary = chosen[0], " ".join(chosen[1])
    source = args.get("source")
    answer = live_answer(job.session, question.id)
    key = "live_correction" if answer is not None else ("live_delivery_by" if speaker else "live_delivery")
    if answer is not None:
        answer.revisions.append(AnswerRevision(text=answer.text, at=answer.edited_at or answer.created_at))
        answer.text = summary
        answer.speaker = speaker
        answer.edited_at = job.now
    else:
        question.answers.append(Answer(
            department_key=question.department_key or "", platform=source.platform if source else "",
            chat_id=source.chat_id if source else "", message_id=source.message_id if source else "",
            officer=actor.who, officer_name=actor.label, text=summary, created_at=job.now, source=AnswerSource.LIVE,
            speaker=speaker,
        ))
    question.status = QuestionStatus.ANSWERED
    question.answered_at = question.answered_at or job.now
    add_event(question, "answered_live", job.now, actor.who)
    job.tell_account(question.account, key, question=question, link_role=LinkRole.ANSWER, code=question.code,
                     answer=summary, speaker=speaker)
    count = 1 + tell_supporters(job, question, key, answer=summary, speaker=speaker)
    return done("live_recorded", question.id, code=question.code, count=count)


AGENDA_COLUMNS = ("col_rank", "col_code", "col_district", "col_category", "col_department", "col_supporters",
                  "col_status", "col_question", "col_original_question", "col_live_answer", "col_speaker")


def write_agenda_csv(session: Session, settings: Settings, campaign_id: int, out: TextIO,
                     label: Callable[..., str]) -> int:
    """The event's list as CSV for Excel (UTF-8 with BOM, Vietnamese headers and statuses, one row per
    question in order); how many rows. `label` renders a catalogue key as plain text."""
    questions = agenda(session, campaign_id)
    supports = support_counts(session, [q.id for q in questions])
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([label(key) for key in AGENDA_COLUMNS])
    for question in questions:
        district = settings.district(question.district_key)
        category = settings.category(question.category_key or "")
        department = settings.department(question.department_key or "")
        live = live_answer(session, question.id)
        writer.writerow([
            question.event_rank, question.code, district.name if district else question.district_key,
            category.name(settings.default_language) if category else question.category_key,
            department.name if department else question.department_key or "", supports.get(question.id, 0),
            label(f"status_{question.status}"), question.text, question.original_text or "",
            live.text if live else "", live.speaker if live else "",
        ])
    return len(questions)
