"""Turns the campaign's state into reminder rows; run every minute, it only adds what is missing.

Every reminder has a dedupe key naming what makes it unique (a department's nudge per
day, an overdue alert per question and deadline), so running the planner again, in
another process or after a restart, never plans anything twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from core.config import Settings
from storage.models import Campaign, Question, QuestionStatus, ReminderKind
from storage.reminders import Plan, existing_keys, plan
from timing.deadlines import is_working_day
from timing.quiet import next_allowed

EVENT_PLANNING_WINDOW = timedelta(days=3)
STATEFUL_KINDS = frozenset({ReminderKind.OVERDUE, ReminderKind.VERY_OVERDUE})
"""Escalations change a question's state: they are applied however late, never skipped as stale."""


def plan_reminders(session: Session, settings: Settings, campaign: Campaign, now: datetime) -> int:
    """Add the campaign-wide reminders due as of `now` (digest, event); returns how many were new.

    A question's own reminders are planned when its state changes: nudges and escalations
    when it is forwarded or reassigned (`plan_for_question`), the usefulness question when it
    is answered (`plan_usefulness_question`), so this minute-by-minute pass never reads every
    open or answered question.
    """
    candidates = _digest_plans(session, settings, campaign, now) + _youth_plans(session, settings, campaign, now)
    return _add(session, settings, campaign, candidates, now)


def plan_for_question(session: Session, settings: Settings, campaign: Campaign, question: Question,
                      now: datetime) -> int:
    """The nudges, overdue and very-overdue alerts of a question that just got its deadline."""
    assert question.answer_due_at is not None and question.department_key is not None
    due = question.answer_due_at
    stamp = due.strftime("%Y%m%dT%H%M")
    nudges, overdue, very_overdue = alert_times(settings, due)
    plans = [Plan(ReminderKind.NUDGE, f"nudge:{question.department_key}:{at.date()}", at, campaign.id,
                  department_key=question.department_key) for at in nudges]
    plans.append(Plan(ReminderKind.OVERDUE, f"overdue:{question.id}:{stamp}", overdue, campaign.id, question.id))
    plans.append(Plan(ReminderKind.VERY_OVERDUE, f"very_overdue:{question.id}:{stamp}", very_overdue,
                      campaign.id, question.id))
    # Not looked up first, as the sweep's many do: of these few, only the department's nudges may
    # exist, and the insert skips those (one statement per accepted question, not two).
    return plan(session, list(_fresh(settings, plans, now).values()), now,
                paused=campaign.reminders_paused_at is not None)


def alert_times(settings: Settings, due: datetime) -> tuple[list[datetime], datetime, datetime]:
    """When a deadline's nudges (those not after it), overdue and very-overdue alerts go, in allowed hours."""
    rules = settings.reminders
    due_day = due.astimezone(settings.timezone).date()
    nudges = [next_allowed(settings, datetime.combine(due_day - timedelta(days=days), rules.nudge_time,
                                                      tzinfo=settings.timezone), working_days_only=True)
              for days in rules.nudge_days_before]
    return ([at for at in nudges if at <= due], next_allowed(settings, due, working_days_only=True),
            next_allowed(settings, due + timedelta(days=rules.very_overdue_days), working_days_only=True))


def plan_usefulness_question(session: Session, settings: Settings, campaign: Campaign, question: Question,
                             now: datetime) -> int:
    """A few days after its first answer, ask the asker whether the answer helped."""
    assert question.answered_at is not None
    at = next_allowed(settings, question.answered_at + timedelta(days=settings.reminders.useful_after_days),
                      working_days_only=False)
    useful = Plan(ReminderKind.USEFUL, f"useful:{question.id}", at, campaign.id, question.id,
                  account_id=question.account_id)
    return _add(session, settings, campaign, [useful], now)


def _add(session: Session, settings: Settings, campaign: Campaign, candidates: list[Plan], now: datetime) -> int:
    """Insert the plans that are neither stale nor planned already."""
    fresh = _fresh(settings, candidates, now)
    for key in existing_keys(session, list(fresh)):
        del fresh[key]
    return plan(session, list(fresh.values()), now, paused=campaign.reminders_paused_at is not None)


def _fresh(settings: Settings, candidates: list[Plan], now: datetime) -> dict[str, Plan]:
    """The plans by key, without those too late to be worth sending."""
    horizon = now - settings.reminders.stale_after
    return {p.dedupe_key: p for p in candidates if p.kind in STATEFUL_KINDS or p.due_at >= horizon}


def _digest_plans(session: Session, settings: Settings, campaign: Campaign, now: datetime) -> list[Plan]:
    rules = settings.reminders
    plans = []
    today = now.astimezone(settings.timezone).date()
    if is_working_day(settings, today) and today <= settings.campaign.event_at.date() and session.scalar(
            select(exists().where(Question.campaign_id == campaign.id, Question.forwarded_at.is_not(None)))):
        at = datetime.combine(today, rules.digest_time, tzinfo=settings.timezone)
        plans.append(Plan(ReminderKind.DIGEST, f"digest:{campaign.id}:{today}", at, campaign.id,
                          chat=str(settings.coordinator_chat)))
    return plans


def _youth_plans(session: Session, settings: Settings, campaign: Campaign, now: datetime) -> list[Plan]:
    plans = []
    event_at = settings.campaign.event_at.replace(tzinfo=settings.timezone)
    if event_at - EVENT_PLANNING_WINDOW <= now < event_at:
        morning = datetime.combine(event_at.date(), settings.reminders.event_morning_time, tzinfo=settings.timezone)
        askers = session.scalars(select(Question.account_id).distinct().where(
            Question.campaign_id == campaign.id, Question.number.is_not(None),
            Question.status.not_in((QuestionStatus.DRAFT, QuestionStatus.REJECTED, QuestionStatus.MERGED))))
        for account_id in askers:
            plans.append(Plan(ReminderKind.EVENT_EVE, f"event_eve:{campaign.id}:{account_id}",
                              next_allowed(settings, event_at - timedelta(days=1), False), campaign.id,
                              account_id=account_id))
            if morning < event_at:
                plans.append(Plan(ReminderKind.EVENT_MORNING, f"event_morning:{campaign.id}:{account_id}",
                                  next_allowed(settings, morning, False), campaign.id, account_id=account_id))
    return plans
