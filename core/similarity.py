"""The previous duplicate measure, kept as the baseline bench/duplicates_precision.py compares against;
the bot uses core.understanding (docs/understanding.md). Its function words are shared with it.

Texts are folded (`core.normalize.words`), stripped of function words that every question
shares ("em", "có", "không", "ạ", ...), and compared with rapidfuzz's token-sort ratio, which
forgives reordered words and typing slips. bench/duplicates_precision.py measures it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.normalize import words

# Folded Vietnamese and English function words: they make every two questions look alike.
FUNCTION_WORDS = frozenset("""
a ah ak oi u uh nhe nhi vay do nay kia the thi la ma va voi cua cho de o
em anh chi minh toi ban
co khong ko k hok duoc dc chua roi se da dang can phai muon
nao gi sao bao gio khi nhu lam xin hoi cac nhung mot nhieu rat qua
an the is are am be of for to in on at by with do does did my i me we you your how what when
where which who why can could will would should there it this that
""".split())


@dataclass(frozen=True)
class Match:
    key: int
    score: float  # 0..1


def signature(text: str) -> str:
    """What two questions are compared on: their folded content words."""
    return " ".join(w for w in words(text) if w not in FUNCTION_WORDS)


def likely_duplicates(query: str, candidates: Mapping[int, str], threshold: float, limit: int = 3) -> list[Match]:
    """The best `limit` candidates scoring at least `threshold`, best first; all texts are signatures.

    Signatures are computed once per question and stored: folding is most of the cost.
    """
    if not query:
        return []
    found = process.extract(query, candidates, scorer=fuzz.token_sort_ratio, score_cutoff=threshold * 100,
                            limit=limit)
    return [Match(key, round(score / 100, 3)) for _choice, score, key in found]
