"""Buttons for handlers: a label and the action it performs, its data made by the codec."""

from __future__ import annotations

from sqlalchemy.orm import Session

from actions import codec
from actions.model import Choice
from core.messages import Button

Buttons = tuple[tuple[Button, ...], ...]


def button(session: Session, label: str, action: str, *args: object) -> Button:
    """A button that performs `action` (by its name in actions/table.py) with `args`."""
    from actions.table import action_named  # the table names handlers, and handlers make buttons

    declared = action_named(action)
    assert declared is not None and declared.code, f"no button code for action {action!r}"
    return Button(label, codec.encode(session, declared.code, *args))


def rows(session: Session, choices: tuple[tuple[Choice, ...], ...]) -> Buttons:
    return tuple(tuple(button(session, c.label, c.action, *c.args) for c in row) for row in choices)
