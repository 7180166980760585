"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the product: SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        writers = WriterQueue()
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda connection: _sqlite_begin_immediate(connection, writers))
        event.listen(engine, "commit", lambda _connection: writers.leave())
        event.listen(engine, "rollback", lambda _connection: writers.leave())
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # an accepted question survives a power cut
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection: Any, writers: WriterQueue) -> None:
    """Take the write lock at the start, so that read-then-write never deadlocks between processes.

    The threads of this process take their turn first (`WriterQueue`): SQLite's own busy wait
    retries at intervals, and a thread committing in a loop (the inbox during a burst) took the
    lock again and again before a waiting sender's next try."""
    writers.enter()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writers.leave()
        raise


WAIT_SECONDS = 30  # as SQLite's busy timeout
PATIENCE_SECONDS = 0.05


class WriterQueue:
    """One SQLite transaction at a time among this process's threads; none waits much behind another
    that commits in a loop.

    A free lock goes to whoever asks, unless a thread has waited PATIENCE_SECONDS: then threads go in
    order of arrival. Handing the lock over in strict order at every commit would leave it idle until
    the next thread in line is scheduled, which on a busy machine costs more than the transactions."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._turns = threading.Condition()
        self._waiting: deque[float] = deque()  # since when each waiting thread has waited, oldest first
        self._busy = False

    def enter(self) -> None:
        """Wait for this thread's turn; after WAIT_SECONDS (a transaction left open in this very thread,
        say) go on to SQLite's own wait, which fails as it always did."""
        with self._turns:
            since = self._clock()
            self._waiting.append(since)
            deadline = since + WAIT_SECONDS
            while self._busy or not self._may_go(since):
                if self._clock() >= deadline:
                    break
                self._turns.wait(PATIENCE_SECONDS)
            self._waiting.remove(since)
            self._busy = True
            self._turns.notify_all()

    def _may_go(self, since: float) -> bool:
        oldest = self._waiting[0]
        return oldest == since or self._clock() - oldest < PATIENCE_SECONDS

    def leave(self) -> None:
        with self._turns:
            self._busy = False
            self._turns.notify_all()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block ends normally, rolled back otherwise."""
    with sessions() as session, session.begin():
        yield session


def insert(session: Session, table: Any) -> Any:
    """An INSERT of the session's dialect, which has ON CONFLICT (both SQLite and PostgreSQL do)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
