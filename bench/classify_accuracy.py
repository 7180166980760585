"""Accuracy and speed of language detection and category suggestion, the previous method beside the current one.

Usage: .venv/bin/python bench/classify_accuracy.py [--confusions]

Sets (bench/splits.py): `seen` is the tuning part of ../shared/data/questions_more.jsonl, which is also the seed
examples the model ships with, so each seen question is suggested by a model built without it (leave one out);
`unseen` is questions_dev.jsonl and the held-out quarter of questions_more.jsonl, never looked at while tuning.
`keywords` is the previous method (core.categories, configured keywords only), `model` the current one
(core.understanding). Timing: per question on one core, and the time to build each from the configuration.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from splits import PARTS, questions  # noqa: E402

from bot.channels.registry import load_settings  # noqa: E402
from core.categories import CategorySuggester  # noqa: E402
from core.language import LanguageDetector  # noqa: E402
from core.understanding.model import Example  # noqa: E402
from storage.learning import base_model, seed_examples  # noqa: E402

Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Score:
    top1: int
    top2: int
    total: int
    misses: tuple[str, ...]

    def line(self) -> str:
        return (f"top-1 {self.top1:3}/{self.total} = {self.top1 / self.total:.3f}   "
                f"top-2 {self.top2:3}/{self.total} = {self.top2 / self.total:.3f}")


def score(rows: list[dict], rank_for: Callable[[int, str], list[str]]) -> Score:
    top1 = top2 = 0
    misses = []
    for index, row in enumerate(rows):
        ranked = rank_for(index, row["text"])
        top1 += ranked[0] == row["category"]
        top2 += row["category"] in ranked[:2]
        if ranked[0] != row["category"]:
            misses.append(f"  {row['category']} -> {ranked[0]}: {row['text']}")
    return Score(top1, top2, len(rows), tuple(misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--confusions", action="store_true", help="list the unseen questions each method misses")
    show = parser.parse_args().confusions
    settings = load_settings(ROOT / "config.example.toml")

    started = time.perf_counter()
    keywords = CategorySuggester(settings.categories, settings.fallback_category)
    keywords_start = time.perf_counter() - started
    started = time.perf_counter()
    model = base_model(settings)
    model_start = time.perf_counter() - started
    seeds = seed_examples(settings.understanding.examples)

    def by_keywords(_index: int, text: str) -> list[str]:
        return [s.key for s in keywords.suggest(text)]

    def by_model(_index: int, text: str) -> list[str]:
        return [s.key for s in model.suggest(text)]

    def by_model_without(index: int, text: str) -> list[str]:
        """Seen rows are the seed examples, in the same order: leave the question's own example out."""
        assert seeds[index].text == text
        others: list[Example] = [*seeds[:index], *seeds[index + 1:]]
        held_out = type(model)(settings.categories, settings.fallback_category, model.lexicon, others)
        return [s.key for s in held_out.suggest(text)]

    for part in PARTS:
        rows = questions(part)
        previous = score(rows, by_keywords)
        current = score(rows, by_model_without if part == "seen" else by_model)
        print(f"{part:6} ({len(rows)}) keywords: {previous.line()}")
        print(f"{part:6} ({len(rows)}) model:    {current.line()}")
        if show and part != "seen":
            print("missed by the model:", *current.misses, sep="\n")

    rows = questions("unseen")
    detector = LanguageDetector(settings.languages)
    languages_right = sum(detector.detect(r["text"]) == r["lang"] for r in rows)
    print(f"language (unseen): {languages_right}/{len(rows)} = {languages_right / len(rows):.3f}")
    for name, suggest in (("keywords", keywords.suggest), ("model", model.suggest)):
        rounds = 10
        started = time.perf_counter()
        for _ in range(rounds):
            for row in rows:
                suggest(row["text"])
        per_question = (time.perf_counter() - started) / (rounds * len(rows))
        built = keywords_start if name == "keywords" else model_start
        print(f"{name:8}: {per_question * 1000:.2f} ms per question, built in {built * 1000:.0f} ms")


if __name__ == "__main__":
    main()
