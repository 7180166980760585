"""Accuracy and speed of language detection and category suggestion on labelled questions.

Usage: .venv/bin/python bench/classify_accuracy.py [questions.jsonl]
Each line holds `text`, `category` and `lang`; categories come from config.example.toml.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from core.categories import CategorySuggester
from core.config import load_settings
from core.language import LanguageDetector

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"


def main(path: Path) -> None:
    settings = load_settings(ROOT / "config.example.toml")
    detector = LanguageDetector(settings.languages)
    suggester = CategorySuggester(settings.categories, settings.fallback_category)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = [(detector.detect(r["text"]), suggester.suggest(r["text"])[0].key) for r in rows]

    rounds = max(1, 5000 // len(rows))  # enough calls for a steady rate; the first pass loaded langdetect
    started = time.perf_counter()
    for _ in range(rounds):
        for row in rows:
            detector.detect(row["text"])
            suggester.suggest(row["text"])
    rate = rounds * len(rows) / (time.perf_counter() - started)

    total, correct = Counter(), Counter()
    confusions = []
    for row, (language, category) in zip(rows, results, strict=True):
        total[row["category"]] += 1
        correct[row["category"]] += category == row["category"]
        if category != row["category"]:
            confusions.append(f"  {row['category']} -> {category}: {row['text']}")
        if language != row["lang"]:
            confusions.append(f"  language {row['lang']} -> {language}: {row['text']}")
    for key in total:
        print(f"{key:18} {correct[key]:3}/{total[key]:<3} {correct[key] / total[key]:.2f}")
    languages_right = sum(language == row["lang"] for row, (language, _) in zip(rows, results, strict=True))
    print(f"{'category top-1':18} {sum(correct.values())}/{len(rows)} {sum(correct.values()) / len(rows):.3f}")
    print(f"{'language':18} {languages_right}/{len(rows)} {languages_right / len(rows):.3f}")
    print(f"throughput: {rate:.0f} questions/s (detect + suggest, one core)")
    print("confusions:" if confusions else "no confusions", *confusions, sep="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA)
