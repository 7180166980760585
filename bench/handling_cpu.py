"""The handling's own CPU per update, in batches as under a burst: statements and flushes counted.

Usage: .venv/bin/python bench/handling_cpu.py [--database sqlite|postgresql] [--people 50] [--rounds 4]
       [--without-search] [--profile FILE]

`--people` young people (registered first, not measured) each ask a question, then each confirms it
("1" picks the suggestion's first button): the questions are recorded together and handled in batches
by the real `InboxProcessor`, then the confirmations, for `--rounds` rounds after one unmeasured. Only
`process_all` is measured (process CPU time, statements sent, flushes of the session): no sender, no
receiver, so that what is left is the handling. `--without-search` replaces the duplicate search
(`curation.flag_duplicates`, `support_offer`) with nothing, to see the rest apart; `--profile` keeps a
cProfile of the measured part.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import time

from common import database  # bench/common.py
from handle_cost import QUESTIONS, Bench
from sqlalchemy import event
from sqlalchemy.orm import Session

from handlers import curation


class Counts:
    """Statements and flushes since the start, from the engine's and the sessions' events."""

    def __init__(self, bench: Bench) -> None:
        self.statements = self.flushes = 0
        event.listen(bench.app.engine, "before_cursor_execute", self._statement)
        event.listen(Session, "after_flush", self._flush)

    def _statement(self, *_: object) -> None:
        self.statements += 1

    def _flush(self, *_: object) -> None:
        self.flushes += 1


def without_search() -> None:
    curation.flag_duplicates = lambda ctx, draft: None
    curation.support_offer = lambda ctx, account, draft: ("", ())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4, help="measured; at most 4 (5 questions an hour each)")
    parser.add_argument("--without-search", action="store_true", help="stub out the duplicate search")
    parser.add_argument("--profile", help="file for the cProfile of the measured part")
    args = parser.parse_args()
    if args.without_search:
        without_search()
    with database(args.database) as url:
        bench = Bench(url)
        asyncio.run(register(bench, args.people))
        counts = Counts(bench)
        profile = cProfile.Profile() if args.profile else None
        cpu = updates = statements = flushes = 0.0
        item = 0
        for round_ in range(args.rounds + 1):
            for asking in (True, False):
                for person in range(args.people):
                    text = f"{QUESTIONS[item % len(QUESTIONS)]} (#{item})" if asking else "1"
                    item += 1
                    incoming = bench.incoming(f"u{person}", text)
                    bench.app.processor.record(incoming.message_id, incoming)
                started, before = time.process_time(), (counts.statements, counts.flushes)
                if profile and round_:
                    profile.enable()
                handled = bench.app.processor.process_all()
                if profile and round_:
                    profile.disable()
                if round_:  # the first round warms up
                    cpu += time.process_time() - started
                    updates += handled
                    statements += counts.statements - before[0]
                    flushes += counts.flushes - before[1]
            asyncio.run(bench.sender.drain())
        bench.app.engine.dispose()
    if profile:
        profile.dump_stats(args.profile)
    print(f"{args.database}{' without the search' if args.without_search else ''}: {updates:.0f} updates, "
          f"{1000 * cpu / updates:.2f} ms CPU per update; per question + confirmation "
          f"{2 * statements / updates:.1f} statements, {2 * flushes / updates:.1f} flushes; "
          f"load {os.getloadavg()[0]:.2f}")


async def register(bench: Bench, people: int) -> None:
    for person in range(people):
        await bench.register(f"u{person}")


if __name__ == "__main__":
    main()
