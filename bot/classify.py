"""`youthbot classify` and `youthbot duplicates`: what the bot makes of questions, as JSON lines.

Lets an operator check how the configured keywords, synonyms and examples route real questions
before a campaign opens, measure duplicate detection on pairs of their own, and lets scripts
consume the results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from core.language import LanguageDetector
from core.understanding.model import Understanding


def classify_lines(texts: Iterable[str], detector: LanguageDetector, suggester: Understanding, out: TextIO) -> None:
    """Write one JSON object per non-empty line of `texts` to `out`."""
    for line in texts:
        text = line.strip()
        if not text:
            continue
        scores = suggester.suggest(text)
        record = {
            "text": text,
            "language": detector.detect(text),
            "category": scores[0].key,
            "categories": [{"key": s.key, "score": round(s.score, 3)} for s in scores],
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


class PairError(ValueError):
    """A line that is not a JSON object with strings "a" and "b"."""


def duplicate_lines(lines: Iterable[str], model: Understanding, threshold: float, out: TextIO) -> None:
    """For each JSON line {"a": ..., "b": ...}, write it back with `score`, `duplicate` (score ≥ threshold)
    and `shared` (the terms both have); other keys, such as a label, are kept."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise PairError(f"line {number}: not JSON ({error})") from None
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("a", "b")):
            raise PairError(f'line {number}: needs {{"a": "...", "b": "..."}}')
        score, shared = model.score(model.signature(record["a"]), model.signature(record["b"]))
        record |= {"score": score, "duplicate": score >= threshold, "shared": list(shared)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
