"""The header's links, in one table: where each goes, its label and which roles see it.

Seeing a link is only a convenience; each page checks its reader again (the action table decides what they may do)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import StaffRole

EVERYONE = frozenset(StaffRole)
NOT_OFFICERS = frozenset({StaffRole.ADMIN, StaffRole.COORDINATOR, StaffRole.VIEWER})
ORGANISERS = frozenset({StaffRole.ADMIN, StaffRole.COORDINATOR})


@dataclass(frozen=True)
class Link:
    path: str
    label_key: str
    roles: frozenset[StaffRole]
    also: tuple[str, ...] = ()  # other pages under this link (the live page is the event day's)

    def is_current(self, path: str) -> bool:
        if self.path == "/console/":
            return path == self.path
        return path.startswith((self.path, *self.also))


LINKS = (
    Link("/console/", "console_nav_home", EVERYONE),
    Link("/console/dashboard", "console_nav_dashboard", EVERYONE),
    Link("/console/agenda", "event_nav", NOT_OFFICERS, also=("/console/live",)),
    Link("/console/nominations", "console_nav_nominations", ORGANISERS),
    Link("/console/commitments", "console_nav_commitments", EVERYONE),
    Link("/console/import", "console_nav_import", ORGANISERS),
    Link("/console/broadcasts", "console_nav_broadcasts", ORGANISERS),
    Link("/console/reports", "console_nav_reports", EVERYONE),
    Link("/console/staff", "console_nav_staff", frozenset({StaffRole.ADMIN})),
)


def links_for(role: StaffRole) -> list[Link]:
    return [link for link in LINKS if role in link.roles]
