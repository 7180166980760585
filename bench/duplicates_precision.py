"""Precision of the duplicate suggestions offered to admins and young people.

Usage: .venv/bin/python bench/duplicates_precision.py [--threshold 0.8]

../shared/data/questions_dev.jsonl holds 42 distinct questions labelled with category and
language only, no duplicates; its 7 English questions translate Vietnamese ones. So the
labelled set is that file plus bench/data/reasked.jsonl: the same questions asked again by
someone else (another wording, no diacritics, chat spelling; `duplicate_of` is the line
number in the dev file) and related questions that are NOT duplicates (`duplicate_of`: null).

It also times one lookup (a new question against N stored signatures), which the bot does
twice per question: for the 👍 offer and for the admins' merge card.

Questions arrive one by one, dev file first; each is compared with every earlier one (all
open), as the bot does, and gets at most 3 suggestions at or above the threshold.
precision = right suggestions / all suggestions; recall = questions with an earlier
duplicate that got it suggested / questions with an earlier duplicate (the translations
count, though a text comparison cannot find them).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

from core.similarity import likely_duplicates, signature

ROOT = Path(__file__).resolve().parents[1]
DEV_DATA = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"
REASKED = ROOT / "bench" / "data" / "reasked.jsonl"
TRANSLATIONS = {35: 0, 36: 5, 37: 12, 38: 16, 39: 23, 40: 31, 41: 34}  # English line -> Vietnamese line


@dataclass(frozen=True)
class Result:
    suggestions: int
    right: int
    with_duplicate: int
    found: int
    wrong: tuple[tuple[str, str, float], ...]

    @property
    def precision(self) -> float:
        return self.right / self.suggestions if self.suggestions else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.with_duplicate if self.with_duplicate else 1.0


def labelled_questions(dev: Path = DEV_DATA, reasked: Path = REASKED) -> list[tuple[str, int]]:
    """(text, group): two questions are duplicates when their groups are equal."""
    rows = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [(text, TRANSLATIONS.get(index, index)) for index, text in enumerate(rows)]
    for index, line in enumerate(reasked.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        source = row["duplicate_of"]
        questions.append((row["text"], TRANSLATIONS.get(source, source) if source is not None else -1 - index))
    return questions


def measure(questions: list[tuple[str, int]], threshold: float) -> Result:
    suggestions = right = with_duplicate = found = 0
    wrong = []
    signatures = [signature(text) for text, _ in questions]
    for index, (text, group) in enumerate(questions):
        earlier = dict(enumerate(signatures[:index]))
        matches = likely_duplicates(signatures[index], earlier, threshold)
        hits = [m for m in matches if questions[m.key][1] == group]
        suggestions += len(matches)
        right += len(hits)
        wrong += [(text, questions[m.key][0], m.score) for m in matches if questions[m.key][1] != group]
        if any(questions[key][1] == group for key in range(index)):
            with_duplicate += 1
            found += bool(hits)
    return Result(suggestions, right, with_duplicate, found, tuple(wrong))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=0.8)
    threshold = parser.parse_args().threshold
    questions = labelled_questions()
    for value in sorted({0.6, 0.7, 0.75, 0.8, 0.85, 0.9, threshold}):
        result = measure(questions, value)
        mark = " <- the configured default" if value == 0.8 else ""
        print(f"threshold {value:.2f}: {result.suggestions:3} suggestions, precision {result.precision:.3f}, "
              f"recall {result.found}/{result.with_duplicate} = {result.recall:.2f}{mark}")
    for text, other, score in measure(questions, threshold).wrong:
        print(f"  wrong at {threshold}: {score:.2f} {text!r} ~ {other!r}")
    signatures = [signature(text) for text, _ in questions]
    for size in (1_000, 10_000, 100_000):
        stored = {key: f"{signatures[key % len(signatures)]} {key}" for key in range(size)}
        started = time.perf_counter()
        for query in signatures:
            likely_duplicates(query, stored, threshold)
        per_lookup = (time.perf_counter() - started) / len(signatures)
        print(f"one lookup among {size:>7,} open questions: {per_lookup * 1000:.1f} ms")


if __name__ == "__main__":
    main()
