"""The model of meaning: which category a question belongs to, and how alike two questions are.

Built from the configured categories (keywords), the lexicon and labelled examples (the seed file and
what was learned in campaigns). Immutable: learning builds a new model (core.understanding.learning).

- Category: 0.5 × the keyword suggester's share + the mean cosine to the category's 2 nearest examples
  + the cosine to the category's keywords taken together; then shares summing to 1.
- Duplicates: weighted Dice of the two questions' term sets (weights are idf: a rare term counts more),
  minus the share of what each has that the other lacks when both have something of their own
  ("nhãn hiệu" vs "sáng chế": the same frame asking about another thing).
The weights were chosen on the tuning split only (bench/splits.py); docs/understanding.md has the figures.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.categories import CategoryScore, CategorySuggester, term_variant
from core.config import Category
from core.normalize import fold
from core.understanding.lexicon import Lexicon
from core.understanding.terms import STOP_TERMS, content_terms
from core.understanding.vectors import Idf, Vector, cosine, vector

_WORDS = re.compile(r"[^\W_]+")
KEYWORD_WEIGHT = 0.5
NEIGHBOURS = 2
CONTRAST_WEIGHT = 1.0
PARSED_TEXTS = 200_000  # texts whose terms are kept (examples, keywords, questions): a few hundred MB at most


@dataclass(frozen=True)
class Example:
    """A question whose category is known: from the seed file, or confirmed in a campaign."""

    text: str
    category: str


@dataclass(frozen=True)
class Match:
    key: int
    score: float  # 0..1
    shared: tuple[str, ...] = ()  # the terms both questions have, rarest first: why they look alike


@dataclass(frozen=True)
class _Indexed:
    example: Example
    vector: Vector


class Understanding:
    """Suggests categories and scores likely duplicates; see the module's docstring for how."""

    def __init__(self, categories: Sequence[Category], fallback: str, lexicon: Lexicon,
                 examples: Iterable[Example] = (), previous: Understanding | None = None) -> None:
        """`previous`: a model of the same categories and lexicon, whose keyword suggester and parsed
        texts are reused, so that learning one more example does not parse every example again."""
        self.keys = tuple(c.key for c in categories)
        self.lexicon = lexicon
        self._keywords = previous._keywords if previous else CategorySuggester(categories, fallback)
        self._parsed: dict[str, list[str]] = previous._parsed if previous else {}
        self._signatures: dict[str, frozenset[str]] = previous._signatures if previous else {}
        self.examples = tuple(e for e in examples if e.category in self.keys)
        keyword_terms = {c.key: [t for k in c.keywords for t in self.terms(k)] for c in categories}
        example_terms = [self.terms(e.text) for e in self.examples]
        self.idf = Idf([*(self.terms(k) for c in categories for k in c.keywords), *example_terms])
        self._centroids = {key: vector(terms, self.idf) for key, terms in keyword_terms.items()}
        self._indexed: dict[str, list[_Indexed]] = defaultdict(list)
        for example, terms in zip(self.examples, example_terms, strict=True):
            self._indexed[example.category].append(_Indexed(example, vector(terms, self.idf)))
        self._term_set = lru_cache(maxsize=100_000)(self._parse_signature)

    def terms(self, text: str) -> list[str]:
        if (found := self._parsed.get(text)) is None:
            if len(self._parsed) >= PARSED_TEXTS:
                self._parsed.clear()
            found = self._parsed[text] = content_terms(text, self.lexicon)
        return list(found)

    # --- categories ------------------------------------------------------------------------

    def suggest(self, text: str) -> list[CategoryScore]:
        """Every category with a score in [0, 1], the scores summing to 1, best first."""
        query = vector(self.terms(text), self.idf)
        evidence = {s.key: KEYWORD_WEIGHT * s.score for s in self._keywords.suggest(text)}
        for key in self.keys:
            nearest = sorted((cosine(query, i.vector) for i in self._indexed[key]), reverse=True)[:NEIGHBOURS]
            evidence[key] += sum(nearest) / NEIGHBOURS + cosine(query, self._centroids[key])
        total = sum(evidence.values()) or 1.0
        ranked = sorted(self.keys, key=lambda key: -evidence[key])  # stable: ties keep config order
        return [CategoryScore(key, evidence[key] / total) for key in ranked]

    def nearest_examples(self, text: str, category: str, limit: int = 2) -> list[str]:
        """The labelled questions of `category` closest to `text` (not itself): why it was suggested."""
        query = vector(self.terms(text), self.idf)
        scored = sorted(((cosine(query, i.vector), i.example.text) for i in self._indexed[category]
                         if i.example.text != text), reverse=True)
        return [example for score, example in scored[:limit] if score > 0]

    # --- duplicates ------------------------------------------------------------------------

    def signature(self, text: str) -> str:
        """What questions are compared on, stored with each question: its terms, space-separated."""
        return " ".join(self.terms(text))

    def _parse_signature(self, signature: str) -> tuple[frozenset[str], float]:
        if (terms := self._signatures.get(signature)) is None:
            if len(self._signatures) >= PARSED_TEXTS:
                self._signatures.clear()
            # Signatures stored before the lexicon (plain folded words) are named the same way on reading.
            terms = self._signatures[signature] = frozenset(
                t for t in self.lexicon.apply(signature.split()) if t not in STOP_TERMS)
        return terms, self._weight(terms)

    def score(self, a: str, b: str) -> tuple[float, tuple[str, ...]]:
        """Similarity of two signatures in [0, 1], and the terms they share, rarest first."""
        value = self._value(self._term_set(a), self._term_set(b))
        return value, self._shared(a, b) if value else ()

    def _value(self, a: tuple[frozenset[str], float], b: tuple[frozenset[str], float]) -> float:
        shared = a[0] & b[0]
        if not shared:
            return 0.0
        common = self._weight(shared)
        only_a, only_b = a[1] - common, b[1] - common
        dice = 2 * common / (2 * common + only_a + only_b)
        contrast = min(only_a, only_b) / (common + only_a + only_b)
        return round(max(0.0, dice - CONTRAST_WEIGHT * contrast), 3)

    def _shared(self, a: str, b: str) -> tuple[str, ...]:
        return tuple(sorted(self._term_set(a)[0] & self._term_set(b)[0], key=lambda t: -self.idf[t]))

    def shown_terms(self, terms: Sequence[str], *texts: str, limit: int = 4) -> list[str]:
        """`terms` as people wrote them: a lexicon group by its first phrase, else the word in `texts`."""
        written = {term_variant(fold(word)): word for text in texts for word in _WORDS.findall(text.lower())}
        return [self.lexicon.shown.get(t) or written.get(t, t) for t in terms[:limit]]

    def _weight(self, terms: Iterable[str]) -> float:
        return sum(map(self.idf.__getitem__, terms))

    def likely_duplicates(self, query: str, candidates: Mapping[int, str | Sequence[str]], threshold: float,
                          limit: int = 3) -> list[Match]:
        """The best `limit` candidates scoring at least `threshold`, best first.

        A candidate is a signature, or several (a question and the duplicates merged into it: what was
        learned from merges); its best one counts.
        """
        if not self._term_set(query)[0]:
            return []
        wanted = self._term_set(query)
        scored = []
        for key, signatures in candidates.items():
            options = (signatures,) if isinstance(signatures, str) else signatures
            value, best = max((self._value(wanted, self._term_set(s)), s) for s in options)
            if value >= threshold:
                scored.append((value, key, best))
        found = [Match(key, value, self._shared(query, best)) for value, key, best in scored]
        found.sort(key=lambda m: -m.score)
        return found[:limit]
