"""Suggest the category (and so the department) of a question from configured keywords.

Keywords are configuration: every province and year names its own fields. A keyword
phrase matches whole folded words, so "Đăng ký" equals "dang ky" and "so" never matches
inside "soan". Each word of the question is credited to at most the longest phrases that
cover it, so "đăng ký kinh doanh" outweighs a shorter "kinh doanh" of another field, and
a phrase listed by several categories is split between them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from core.config import Category
from core.normalize import words

# Prior evidence, in matched words: the fallback wins when nothing matches, and any
# single matched word beats it.
_FALLBACK_PRIOR = 0.5
_PRIOR = 0.1


@dataclass(frozen=True)
class CategoryScore:
    key: str
    score: float


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    phrase: tuple[str, ...]

    def overlaps(self, other: _Match) -> bool:
        return self.start < other.end and other.start < self.end


def term_variant(word: str) -> str:
    """Spelling variants as one term: an English plural "s" is dropped ("startups"), and a
    final y after a consonant is i ("kỹ năng" = "kĩ năng"). No folded Vietnamese syllable
    ends in s, and English words change the same way in keywords and questions."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiouy":
        word = word[:-1] + "i"
    return word


def _terms(text: str) -> tuple[str, ...]:
    return tuple(term_variant(word) for word in words(text))


class CategorySuggester:
    """Ranks all configured categories for a question, best first."""

    def __init__(self, categories: Sequence[Category], fallback: str) -> None:
        self.keys = tuple(c.key for c in categories)
        if fallback not in self.keys:
            raise ValueError(f"fallback category '{fallback}' is not one of {list(self.keys)}")
        self.fallback = fallback
        owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for category in categories:
            for keyword in category.keywords:
                if phrase := _terms(keyword):
                    owners[phrase].add(category.key)
        self._owners = {phrase: frozenset(keys) for phrase, keys in owners.items()}
        self._by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self._owners:
            self._by_first[phrase[0]].append(phrase)

    def suggest(self, text: str) -> list[CategoryScore]:
        """Every category with a score in [0, 1], the scores summing to 1, best first."""
        evidence = {key: (_FALLBACK_PRIOR if key == self.fallback else _PRIOR) for key in self.keys}
        for phrase in self._longest_matches(_terms(text)):
            owners = self._owners[phrase]
            for key in owners:
                evidence[key] += len(phrase) / len(owners)
        total = sum(evidence.values())
        ranked = sorted(self.keys, key=lambda key: -evidence[key])  # stable: ties keep config order
        return [CategoryScore(key, evidence[key] / total) for key in ranked]

    def _longest_matches(self, terms: tuple[str, ...]) -> set[tuple[str, ...]]:
        """The distinct phrases found, leaving out occurrences inside a longer match."""
        found = [
            _Match(start, start + len(phrase), phrase)
            for start, term in enumerate(terms)
            for phrase in self._by_first.get(term, ())
            if terms[start:start + len(phrase)] == phrase
        ]
        accepted: list[_Match] = []
        for match in sorted(found, key=lambda m: -len(m.phrase)):
            if not any(match.overlaps(a) and len(a.phrase) > len(match.phrase) for a in accepted):
                accepted.append(match)
        return {match.phrase for match in accepted}
