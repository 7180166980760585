"""`youthbot classify`: language and category suggestions for questions, one a line.

Lets an operator check how the configured keywords route real questions before a
campaign opens, and lets scripts consume the result as JSON lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from core.categories import CategorySuggester
from core.language import LanguageDetector


def classify_lines(
    texts: Iterable[str], detector: LanguageDetector, suggester: CategorySuggester, out: TextIO
) -> None:
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
