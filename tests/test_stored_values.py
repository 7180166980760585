"""The enums of states, roles and kinds are stored as their values: changing a value strands the rows
already written with the old one, so it needs a migration; these tests say so when it happens. And the
code names them by their members, never by the bare strings, so a renamed or mistyped value is an error
at import, not a state nothing reads."""

from __future__ import annotations

import ast

from handlers.reminders import KINDS
from storage.models import AccountState, AnswerSource, BroadcastAwaiting, LinkRole, ReminderKind
from tests.test_layers import PACKAGES, ROOT

STORED = {
    AccountState: {"", "district", "followup"},
    AnswerSource: {"department", "live"},
    BroadcastAwaiting: {"", "text", "link", "time"},
    LinkRole: {"card", "digest", "followup", "reject", "answer_recorded", "notices", "receipt", "answer", "notice",
               "review", "clarify", "decline", "reassign"},
    ReminderKind: {"nudge", "overdue", "very_overdue", "digest", "event_eve", "event_morning", "useful"},
}
COLUMNS = {"state", "awaiting", "link_role", "role", "kind", "source"}
"""Attributes holding one of those enums (`Account.state`, `MessageLink.role`, `Reminder.kind` ...)."""
KEYWORDS = {"state", "awaiting", "link_role"}


def test_the_enums_keep_the_strings_already_stored() -> None:
    assert {enum: {member.value for member in enum} for enum in STORED} == STORED


def test_every_reminder_kind_has_something_to_say() -> None:
    assert set(KINDS) == set(ReminderKind)


def bare_values(source: str) -> list[str]:
    """Where `source` sets, compares or passes one of those columns as a bare string."""
    def is_text(node: ast.AST) -> bool:
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return bool(node.elts) and all(is_text(element) for element in node.elts)
        return isinstance(node, ast.Constant) and isinstance(node.value, str)

    def is_column(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr in COLUMNS

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            bare = any(is_column(target) for target in node.targets) and is_text(node.value)
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            bare = any(is_column(side) for side in sides) and any(is_text(side) for side in sides)
        elif isinstance(node, ast.keyword):
            bare = node.arg in KEYWORDS and is_text(node.value)
        else:
            continue
        if bare:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_code_names_stored_values_by_their_enum() -> None:
    modules = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
               if "migrations" not in path.parts]
    found = [f"{path.relative_to(ROOT)}:{line}" for path in modules
             for line in bare_values(path.read_text(encoding="utf-8"))]
    assert found == []


def test_a_bare_value_is_found() -> None:
    source = ('account.state = "district"\nif reminder.kind in ("overdue", "nudge"): pass\n'
              'ctx.send(chat, html, link_role="card")\naccount.state = AccountState.IDLE\nx = "district"\n')
    assert [line.partition(":")[0] for line in bare_values(source)] == ["1", "2", "3"]
