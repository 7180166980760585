"""The enums of states, roles and kinds are stored as their values: changing a value strands the rows
already written with the old one, so it needs a migration; these tests say so when it happens."""

from __future__ import annotations

from handlers.reminders import KINDS
from storage.models import AccountState, AnswerSource, BroadcastAwaiting, LinkRole, ReminderKind

STORED = {
    AccountState: {"", "district", "followup"},
    AnswerSource: {"department", "live"},
    BroadcastAwaiting: {"", "text", "link", "time"},
    LinkRole: {"card", "digest", "followup", "reject", "answer_recorded", "notices", "receipt", "answer", "notice",
               "review", "clarify", "decline"},
    ReminderKind: {"nudge", "overdue", "very_overdue", "digest", "event_eve", "event_morning", "useful"},
}


def test_the_enums_keep_the_strings_already_stored() -> None:
    assert {enum: {member.value for member in enum} for enum in STORED} == STORED


def test_every_reminder_kind_has_something_to_say() -> None:
    assert set(KINDS) == set(ReminderKind)
