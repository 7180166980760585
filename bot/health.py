"""What /readyz answers: is the database reachable and its schema current, is every loop running.

Each loop of the process (a platform's receiver and sender, the inbox processor, the web server)
runs through `Health.watch`, which notes when it stops and why; a stopped loop makes the process
not ready, with the reason, whatever stopped it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from storage.migrate import alembic_config, is_current


@dataclass
class Readiness:
    ready: bool
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or the reason it is not


class Health:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._loops: dict[str, str] = {}  # name -> "ok" while running, else why it stopped

    async def watch(self, name: str, loop: Awaitable[None]) -> None:
        self._loops[name] = "ok"
        try:
            await loop
        except BaseException as error:
            self._loops[name] = f"stopped: {type(error).__name__}: {error}".rstrip(": ")
            raise
        self._loops[name] = "stopped"

    def readiness(self) -> Readiness:
        checks = {"database": "ok", "migrations": "ok"}
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                if not is_current(connection, alembic_config(self._engine)):
                    checks["migrations"] = "not current: the schema is not this version's (migrate, or restart)"
        except Exception as error:  # noqa: BLE001 - any failure to reach it is the answer
            checks["database"] = f"unreachable: {type(error).__name__}"
            checks["migrations"] = "unknown"
        checks |= self._loops
        return Readiness(all(value == "ok" for value in checks.values()), checks)
