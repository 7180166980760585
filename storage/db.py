"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
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

    The threads of this process take their turn first, in order of arrival: SQLite's own busy
    wait retries at intervals, and a thread committing in a loop (the inbox during a burst) would
    take the lock again and again before a waiting sender's next try."""
    writers.enter()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writers.leave()
        raise


WAIT_SECONDS = 30  # as SQLite's busy timeout


class WriterQueue:
    """One SQLite transaction at a time among this process's threads, first come first served."""

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._waiting: deque[object] = deque()
        self._busy = False

    def enter(self) -> None:
        """Wait for this thread's turn; after WAIT_SECONDS (a transaction left open in this very thread,
        say) go on to SQLite's own wait, which fails as it always did."""
        ticket = object()
        with self._turns:
            self._waiting.append(ticket)
            self._turns.wait_for(lambda: not self._busy and self._waiting[0] is ticket, WAIT_SECONDS)
            self._waiting.remove(ticket)
            self._busy = True
            self._turns.notify_all()

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
