"""The fixed split between tuning data and unseen data, decided before any result was looked at.

Rule (chosen up front, never changed after measuring):
- categories: every line of ../shared/data/questions_dev.jsonl is unseen (its README: "measure, not fit"),
  and so is every 4th line of questions_more.jsonl (0-based index % 4 == 3, 40 lines); the other 120 lines of
  questions_more.jsonl are for tuning and are the seed examples the suggester ships with;
- `fresh`: bench/data/fresh_questions.jsonl (28) and fresh_pairs.jsonl (20), written by hand for issue 15's second
  round before that round tuned anything, because the first unseen split's misses had been printed by then;
- duplicates: every 3rd pair of duplicates_more.jsonl (index % 3 == 2, 20 pairs) is unseen, the other 40 are
  for tuning, as is bench/data/reasked.jsonl (written for the previous method, knowing the dev questions);
- `evaluative`: bench/data/evaluative_pairs.jsonl (16), written by hand in round 4 before it was measured, for
  tuning: 8 paraphrases worded with other evaluative words ("ổn định" / "nâng cấp"), 8 near-misses keeping one
  side's evaluative words and asking about another thing; the 40 tuning pairs hold almost none.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


FRESH = ROOT / "bench" / "data"
PARTS = ("seen", "unseen", "fresh")
PAIR_PARTS = ("seen", "evaluative", "unseen", "fresh")


def _rows(name: str, folder: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def questions(part: str) -> list[dict]:
    """Labelled questions of the 'seen' (tuning), 'unseen' or 'fresh' part."""
    if part == "fresh":
        return _rows("fresh_questions.jsonl", FRESH)
    more = _rows("questions_more.jsonl")
    if part == "seen":
        return [row for index, row in enumerate(more) if index % 4 != 3]
    return _rows("questions_dev.jsonl") + [row for index, row in enumerate(more) if index % 4 == 3]


def pairs(part: str) -> list[dict]:
    """Labelled pairs {"a", "b", "duplicate"} of the 'seen', 'evaluative' (both tuning), 'unseen' or 'fresh' part."""
    if part == "fresh":
        return _rows("fresh_pairs.jsonl", FRESH)
    if part == "evaluative":
        return _rows("evaluative_pairs.jsonl", FRESH)
    wanted = (lambda index: index % 3 == 2) if part == "unseen" else (lambda index: index % 3 != 2)
    return [row for index, row in enumerate(_rows("duplicates_more.jsonl")) if wanted(index)]
