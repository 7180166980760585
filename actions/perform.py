"""`perform`: the one way any surface (chat command, button, typed number, reply, web, CLI) does an action.

Look it up, check who may use it here, parse its arguments (a wrong one gets that argument's message),
check the actor may act on the question it names, run it, and write the audit row in the same
transaction, so an action and its record are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from actions.model import Action, Actor, Argument, Kind, Outcome, Status, Surface, invalid, refused
from actions.permissions import allowed, may_act_on, refusal
from actions.table import action_named
from handlers.context import Context, Job, Writer
from storage import audit
from storage.models import Campaign, Question
from storage.questions import find_by_code

RawArgs = Sequence[str] | Mapping[str, str]
BY_ID = frozenset({Surface.BUTTON, Surface.NUMBER, Surface.WEB, Surface.CLI})  # surfaces that name questions by id
AUDITED = frozenset({Status.DONE, Status.REFUSED})


def perform(writer: Writer, campaign: Campaign, actor: Actor, name: str, raw_args: RawArgs = (),
            surface: Surface | None = None, *, given: Mapping[str, Any] | None = None) -> Outcome:
    """Do action `name` as `actor`. `raw_args` are typed words (or, from the web, values by argument name);
    `given` are values a surface already holds (the question a reply is linked to, the officer's message)."""
    actor = replace(actor, surface=surface or actor.surface)
    action = action_named(name)
    if action is None:
        return invalid("unknown_command", command=name)
    job = writer if isinstance(writer, Job) else Job(writer.services, writer.session, writer.now, campaign=campaign,
                                                     enqueued=writer.enqueued)
    outcome = _run(job, action, actor, raw_args, dict(given or {}))
    if action.audited and actor.staff and outcome.status in AUDITED:
        _record(job, action, actor, outcome)
    return outcome


def _run(job: Job, action: Action, actor: Actor, raw_args: RawArgs, given: dict[str, Any]) -> Outcome:
    if not allowed(action, actor):
        return refusal(job.settings, action, actor)
    parsed = parse(job, action, actor.surface, raw_args, given)
    if isinstance(parsed, Outcome):
        return parsed
    for argument in action.arguments:
        question = parsed.get(argument.name)
        if argument.kind == Kind.QUESTION and question is not None and not may_act_on(actor, question):
            return wrong_department(job, question)
    if action.handler is not None:
        return action.handler(job, actor, parsed)
    if action.chat is not None and isinstance(job, Context):
        return action.chat(job, actor, parsed) or Outcome(Status.DONE)
    return refused("not_here")


def wrong_department(job: Job, question: Question) -> Outcome:
    holder = job.settings.department(question.department_key or "")
    return refused("wrong_department", question.id, code=question.code,
                   department=holder.name if holder else question.department_key or "–")


def parse(job: Job, action: Action, surface: Surface, raw_args: RawArgs,
          given: dict[str, Any]) -> dict[str, Any] | Outcome:
    """Each argument's value, or the INVALID outcome of what is wrong: a missing argument (the action's
    usage) before a wrong one (that argument's message)."""
    raw = _raw_values(action, raw_args, given)
    if any(argument.required and argument.name not in given and not raw[argument.name]
           for argument in action.arguments):
        missing = next(a for a in action.arguments if a.required and a.name not in given and not raw[a.name])
        return invalid(action.usage_key or missing.error_key or "usage_missing")
    parsed: dict[str, Any] = dict(given)  # what the surface holds, declared or not (the officer's message)
    for argument in action.arguments:
        if argument.name in given:
            continue
        value = _value(job, argument, surface, raw[argument.name]) if raw[argument.name] else None
        if isinstance(value, Outcome):
            return value
        parsed[argument.name] = value
    return parsed


def _raw_values(action: Action, raw_args: RawArgs, given: dict[str, Any]) -> dict[str, str]:
    """Typed words by argument, in order (a TEXT argument takes the rest), or the web's values by name."""
    if isinstance(raw_args, Mapping):
        return {a.name: str(raw_args.get(a.name) or "").strip() for a in action.arguments}
    words = list(raw_args)
    values: dict[str, str] = {}
    for argument in action.arguments:
        if argument.name in given:
            values[argument.name] = ""
        elif argument.kind == Kind.TEXT:
            values[argument.name], words = " ".join(words).strip(), []
        else:
            values[argument.name] = words.pop(0) if words else ""
    return values


def _value(job: Job, argument: Argument, surface: Surface, raw: str) -> Any:
    if argument.kind == Kind.QUESTION:
        return question_named(job, argument, surface, raw)
    if argument.kind == Kind.DEPARTMENT:
        department = job.settings.department(raw.lower())
        if department is None:
            return invalid(argument.error_key or "department_unknown", department=raw,
                           keys=", ".join(d.key for d in job.settings.departments))
        return department
    if argument.kind == Kind.NUMBER:
        return int(raw.lstrip("#")) if raw.lstrip("#").isdigit() else invalid(argument.error_key or "number_invalid",
                                                                              value=raw)
    if argument.kind == Kind.CHOICE:
        choice = raw.lower()
        return choice if choice in argument.choices else invalid(argument.error_key or "choice_invalid", value=raw,
                                                                 choices=" | ".join(argument.choices))
    return raw


def question_named(job: Job, argument: Argument, surface: Surface, raw: str) -> Question | Outcome:
    """A code of this campaign; on buttons, the web and the CLI also a question's id (of any campaign:
    follow-ups reach past ones)."""
    if surface in BY_ID and raw.isdigit():
        question = job.session.get(Question, int(raw))
        return question if question is not None else invalid("button_stale")
    question = find_by_code(job.session, raw, job.campaign.id)
    return question if question is not None else invalid(argument.error_key or "code_unknown", code=raw)


def _record(job: Job, action: Action, actor: Actor, outcome: Outcome) -> None:
    audit.record(job.session, at=job.now, campaign_id=job.campaign.id, action=action.name,
                 role=str(actor.role or ""), who=actor.who, label=actor.label, surface=str(actor.surface),
                 place=str(actor.place), status=str(outcome.status), question_id=outcome.question_id,
                 detail={"key": outcome.key, **dict(outcome.detail)})
