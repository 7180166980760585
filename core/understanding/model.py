"""The model of meaning: which category a question belongs to, and how alike two questions are.

Built from the configured categories (keywords), the lexicon, labelled examples (the seed file and what was
learned in campaigns) and learned merges. Immutable: learning builds a new model (storage.learning).

- Category: 0.5 × the keyword suggester's share + the mean cosine to the category's 2 nearest examples
  + the cosine to the category's keywords taken together + 0.3 × a naive Bayes share; then shares summing to 1.
- Duplicates: ¼ weighted Dice + ¾ containment of the two questions' term sets (weights are idf, frame terms
  and unseen codes light), terms cut differently or taught by a merge counting as partly shared, minus the
  contrast: the content each has that the other lacks when both have some ("nhãn hiệu" vs "sáng chế": the
  same frame asking about another thing), and any reversing verb ("hủy") one has alone.
The weights were chosen on the tuning split only (bench/splits.py); docs/understanding.md has the figures.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from core.categories import CategoryScore, CategorySuggester, term_variant
from core.config import Category
from core.normalize import fold
from core.understanding.lexicon import Lexicon
from core.understanding.terms import FRAME_TERMS, REVERSING_TERMS, STOP_TERMS, content_terms, features
from core.understanding.vectors import Idf, Vector, cosine, vector

_WORDS = re.compile(r"[^\W_]+")
KEYWORD_WEIGHT = 0.5
NEIGHBOURS = 2
CONTRAST_WEIGHT = 2.0
FRAME_WEIGHT = 0.2
SOFT_WEIGHT = 0.7
CONTAINMENT = 0.75
BAYES_WEIGHT = 0.3
PREFILTER = 0.5
MERGE_TERMS = 3
INDEX_MARGIN = 0.5
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


class _Parsed(NamedTuple):
    """A signature as compared: its terms, their weight, and the weight of those that are not frame terms."""

    terms: frozenset[str]
    weight: float
    content: float


class TermLookup(NamedTuple):
    """The terms a term index is searched by for one query (`Understanding.lookup_terms`)."""

    rare: frozenset[str]  # a question sharing any of these
    light: frozenset[str]  # a question sharing one of these that is heavy in it


@dataclass(frozen=True)
class _Indexed:
    example: Example
    terms: tuple[str, ...]


@lru_cache(maxsize=100_000)
def _syllables(term: str) -> frozenset[str]:
    return frozenset(term.split("_"))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """How much of one word the other is, by syllables: a syllable of a two-syllable word is likely that word
    shortened ("máy" / "máy tính": 1); of a longer phrase, one part of it ("xuất" / "truy xuất nguồn gốc": ¼)."""
    longer = max(len(a), len(b))
    return len(a & b) / (min(len(a), len(b)) if longer <= 2 else longer)


class _NaiveBayes:
    """Multinomial naive Bayes over terms and neighbouring pairs (Laplace smoothing): each category's share."""

    def __init__(self, keys: Sequence[str], labelled: Iterable[tuple[str, list[str]]]) -> None:
        self._counts: dict[str, Counter[str]] = {key: Counter() for key in keys}
        self._documents: Counter[str] = Counter()
        self._features: set[str] = set()
        self._add(labelled)

    def _add(self, labelled: Iterable[tuple[str, list[str]]]) -> None:
        for key, terms in labelled:
            found = features(terms)
            self._counts[key].update(found)
            self._features.update(found)
            self._documents[key] += 1
        keys = self._counts
        total = sum(self._documents.values()) or 1
        self._vocabulary = len(self._features) or 1
        self._prior = {key: math.log((self._documents[key] + 1) / (total + len(keys))) for key in keys}
        self._sizes = {key: sum(counts.values()) for key, counts in self._counts.items()}

    def extended(self, labelled: Iterable[tuple[str, list[str]]]) -> _NaiveBayes:
        """These counts plus `labelled`'s: equal to counting all of them again, at the cost of the new ones."""
        bayes = _NaiveBayes((), ())
        bayes._counts = {key: counts.copy() for key, counts in self._counts.items()}
        bayes._documents = self._documents.copy()
        bayes._features = set(self._features)
        bayes._add(labelled)
        return bayes

    def shares(self, terms: list[str]) -> dict[str, float]:
        found = features(terms)
        logs = {key: self._prior[key] + sum(math.log((self._counts[key][f] + 1) / (self._sizes[key] + self._vocabulary))
                                            for f in found) for key in self._counts}
        top = max(logs.values(), default=0.0)
        exps = {key: math.exp(value - top) for key, value in logs.items()}
        total = sum(exps.values()) or 1.0
        return {key: value / total for key, value in exps.items()}


class Understanding:
    """Suggests categories and scores likely duplicates; see the module's docstring for how."""

    def __init__(self, categories: Sequence[Category], fallback: str, lexicon: Lexicon,
                 examples: Iterable[Example] = (), merges: Iterable[tuple[str, str]] = (),
                 previous: Understanding | None = None) -> None:
        """`previous`: a model of the same categories and lexicon, whose keyword suggester and parsed
        texts are reused, so that learning one more example does not parse every example again."""
        self.keys = tuple(c.key for c in categories)
        self.lexicon = lexicon
        self._keywords = previous._keywords if previous else CategorySuggester(categories, fallback)
        self._parsed: dict[str, list[str]] = previous._parsed if previous else {}
        self._signatures: dict[str, frozenset[str]] = previous._signatures if previous else {}
        self._keyword_terms = {c.key: [t for k in c.keywords for t in self.terms(k)] for c in categories}
        self.examples: tuple[Example, ...] = ()
        self.idf = Idf(self.terms(k) for c in categories for k in c.keywords)
        self._indexed: dict[str, list[_Indexed]] = {key: [] for key in self.keys}
        self._bayes = _NaiveBayes(self.keys, self._keyword_terms.items())
        self._related: frozenset[tuple[str, str]] = lexicon.twins
        self._learn(examples, merges)

    def learning(self, examples: Iterable[Example], merges: Iterable[tuple[str, str]] = ()) -> Understanding:
        """A new model: this one's examples and merges, then `examples` and `merges`. Equal to building it from
        all of them, at the cost of the new ones (document frequencies and counts are kept, vectors are
        computed when first compared); this model is left as it was."""
        model = copy.copy(self)
        model._indexed = {key: list(indexed) for key, indexed in self._indexed.items()}
        model._learn(examples, merges)
        return model

    def _learn(self, examples: Iterable[Example], merges: Iterable[tuple[str, str]]) -> None:
        """Adds examples and merges while the model is being made (never once it is handed out)."""
        added = tuple(e for e in examples if e.category in self.keys)
        example_terms = [tuple(self.terms(e.text)) for e in added]
        self.examples += added
        self.idf = self.idf.extended(example_terms)
        for example, terms in zip(added, example_terms, strict=True):
            self._indexed[example.category].append(_Indexed(example, terms))
        self._bayes = self._bayes.extended((e.category, list(t)) for e, t in zip(added, example_terms, strict=True))
        self._centroids = {key: vector(terms, self.idf) for key, terms in self._keyword_terms.items()}
        self._vectors: dict[int, Vector] = {}  # id(_Indexed) -> its vector under this model's idf
        self._weights: dict[str, float] = {}
        self._term_set = lru_cache(maxsize=100_000)(self._parse_signature)
        self._related = self._related | self._learn_related(merges)

    def _vector(self, indexed: _Indexed) -> Vector:
        if (found := self._vectors.get(id(indexed))) is None:
            found = self._vectors[id(indexed)] = vector(indexed.terms, self.idf)
        return found

    def _learn_related(self, merges: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        """Term pairs a merge showed to mean the same: what each of two merged questions has alone, when each
        has at most `MERGE_TERMS` such content terms ("ổn định" / "cải thiện"). Both orders are kept."""
        related = set()
        for a, b in merges:
            first, second = self._term_set(a).terms, self._term_set(b).terms
            only_a, only_b = first - second - FRAME_TERMS, second - first - FRAME_TERMS
            if only_a and only_b and len(only_a) <= MERGE_TERMS and len(only_b) <= MERGE_TERMS:
                related |= {(x, y) for x in only_a for y in only_b} | {(y, x) for x in only_a for y in only_b}
        return frozenset(related)

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
            nearest = sorted((cosine(query, self._vector(i)) for i in self._indexed[key]), reverse=True)[:NEIGHBOURS]
            evidence[key] += sum(nearest) / NEIGHBOURS + cosine(query, self._centroids[key])
        for key, share in self._bayes.shares(self.terms(text)).items():
            evidence[key] += BAYES_WEIGHT * share
        total = sum(evidence.values()) or 1.0
        ranked = sorted(self.keys, key=lambda key: -evidence[key])  # stable: ties keep config order
        return [CategoryScore(key, evidence[key] / total) for key in ranked]

    def nearest_examples(self, text: str, category: str, limit: int = 2) -> list[str]:
        """The labelled questions of `category` closest to `text` (not itself): why it was suggested."""
        query = vector(self.terms(text), self.idf)
        scored = sorted(((cosine(query, self._vector(i)), i.example.text) for i in self._indexed.get(category, ())
                         if i.example.text != text), reverse=True)
        return [example for score, example in scored[:limit] if score > 0]

    # --- duplicates ------------------------------------------------------------------------

    def signature(self, text: str) -> str:
        """What questions are compared on, stored with each question: its terms, space-separated."""
        return " ".join(self.terms(text))

    def _parse_signature(self, signature: str) -> _Parsed:
        if (terms := self._signatures.get(signature)) is None:
            if len(self._signatures) >= PARSED_TEXTS:
                self._signatures.clear()
            # Signatures stored before the lexicon (plain folded words) are named the same way on reading.
            terms = self._signatures[signature] = frozenset(
                t for t in self.lexicon.apply(signature.split()) if t not in STOP_TERMS)
        return _Parsed(terms, self._weight(terms), self._weight(terms - FRAME_TERMS))

    def index_terms(self, signature: str, threshold: float) -> dict[str, bool]:
        """The terms a stored signature is found by in a term index (its content terms), each True when heavy:
        left once the lightest, together under half the share `_hopeful` asks at `threshold`, are left out
        (`_heaviest`; half, because the weights move a little as examples are learned)."""
        parsed = self._term_set(signature)
        heavy = self._heaviest(parsed, INDEX_MARGIN * PREFILTER * threshold)
        return {term: term in heavy for term in parsed.terms - FRAME_TERMS}

    def lookup_terms(self, query: str, threshold: float, frequency: Callable[[str], int] | None = None
                     ) -> TermLookup:
        """What a term index must return for `query` so that `likely_duplicates` finds what it would among all
        open questions: those sharing a `rare` term (a candidate weighing at least the query needs one), and those
        sharing a `light` one that is heavy in them (a lighter candidate needs one of its own heavy terms).

        The light terms are any weighing together under the share `_hopeful` asks: the most frequent in the index
        (`frequency`, how many questions have a term) first when it is known, so that the longest lists of
        questions are read for heavy terms only; else the lightest."""
        parsed = self._term_set(query)
        content = parsed.terms - FRAME_TERMS
        budget = PREFILTER * threshold * parsed.content * (1 - 1e-9)  # rounding: never leave out one too many
        order = sorted(content, key=lambda t: (-frequency(t), t) if frequency else (self._term_weight(t), t))
        light: set[str] = set()
        for term in order:
            if (weight := self._term_weight(term)) < budget:
                light.add(term)
                budget -= weight
        return TermLookup(frozenset(content - light), frozenset(light))

    def _heaviest(self, parsed: _Parsed, share: float) -> frozenset[str]:
        """The content terms left when the lightest, weighing together under `share` of the content, are left
        out: another question sharing none of these shares less than `share` of this one's content weight."""
        content = sorted(parsed.terms - FRAME_TERMS, key=lambda t: (self._term_weight(t), t))
        budget = share * parsed.content * (1 - 1e-9)  # rounding: never leave out one too many
        light = 0.0
        for n, term in enumerate(content):
            light += self._term_weight(term)
            if light >= budget:
                return frozenset(content[n:])
        return frozenset()

    def index_version(self) -> str:
        """Changes when `index_terms` may answer otherwise for a stored signature: a stored index is rebuilt."""
        lexicon = self.lexicon
        parts = (sorted(lexicon._names.items()), sorted(lexicon._accented.items()), sorted(lexicon._acronyms.items()),
                 sorted(STOP_TERMS), sorted(FRAME_TERMS), sorted(self.idf.counts()), PREFILTER, INDEX_MARGIN,
                 FRAME_WEIGHT)
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    def score(self, a: str, b: str) -> tuple[float, tuple[str, ...]]:
        """Similarity of two signatures in [0, 1], and the terms they share, rarest first."""
        value = self._value(self._term_set(a), self._term_set(b))
        return value, self._shared(a, b) if value else ()

    def _value(self, a: _Parsed, b: _Parsed) -> float:
        shared = a.terms & b.terms
        if not shared:
            return 0.0
        common = self._weight(shared)
        only_a, only_b = a.terms - shared, b.terms - shared
        alike = self._partly_shared(only_a, only_b)
        weight_a, weight_b = a.weight - common - alike, b.weight - common - alike
        common += SOFT_WEIGHT * alike
        dice = 2 * common / (2 * common + weight_a + weight_b)
        dice = (1 - CONTAINMENT) * dice + CONTAINMENT * common / (common + min(weight_a, weight_b))
        contrast = min(weight_a - self._weight(only_a & FRAME_TERMS), weight_b - self._weight(only_b & FRAME_TERMS))
        contrast = max(0.0, contrast) + self._weight(t for t in only_a ^ only_b if t in REVERSING_TERMS)
        return round(max(0.0, dice - CONTRAST_WEIGHT * contrast / (common + weight_a + weight_b)), 3)

    def _hopeful(self, content: frozenset[str], a: _Parsed, b: _Parsed, threshold: float) -> bool:
        """Whether `b` may score `threshold` with `a`, from the content terms they share (frame terms never make
        a duplicate): their weight over the smaller question's content weight. No pair of the measured sets
        scoring 0.5 or more was below 0.55 of it; skipping below `PREFILTER` × threshold leaves most candidates
        unscored (docs/understanding.md)."""
        shared = self._weight(content & b.terms)
        return shared >= PREFILTER * threshold * min(a.content, b.content)

    def _partly_shared(self, only_a: frozenset[str], only_b: frozenset[str]) -> float:
        """Weight of the terms each side has alone that share syllables with one of the other's alone, by the
        share of the shorter's syllables ("máy tính" / "máy", "phủ sóng" / "phủ"): a compound the lexicon does
        not know, cut differently; or in full when a merge showed the two to mean the same (`_learn_related`)."""
        if not only_a or not only_b:
            return 0.0
        by_syllable: dict[str, list[str]] = defaultdict(list)
        for term in only_b:
            for syllable in _syllables(term):
                by_syllable[syllable].append(term)
        total = 0.0
        for term in only_a:
            mine = _syllables(term)
            others = {other for syllable in mine for other in by_syllable.get(syllable, ())}
            share = {other: _overlap(mine, _syllables(other)) for other in others}
            if self._related:
                share |= {other: 1.0 for other in only_b if (term, other) in self._related}
            total += max((value * min(self._term_weight(term), self._term_weight(other))
                          for other, value in share.items()), default=0.0)
        return min(total, self._weight(only_a), self._weight(only_b))

    def _shared(self, a: str, b: str) -> tuple[str, ...]:
        return tuple(sorted(self._term_set(a).terms & self._term_set(b).terms, key=lambda t: -self.idf[t]))

    def shown_terms(self, terms: Sequence[str], *texts: str, limit: int = 4) -> list[str]:
        """`terms` as people wrote them: a lexicon group by its first phrase, else the word in `texts`."""
        written = {term_variant(fold(word)): word for text in texts for word in _WORDS.findall(text.lower())}
        return [self.lexicon.shown.get(t) or written.get(t, t) for t in terms[:limit]]

    def _weight(self, terms: Iterable[str]) -> float:
        return sum(map(self._term_weight, terms))

    def _term_weight(self, term: str) -> float:
        """Its idf, less for a term that frames the question or a number or code never seen ("y07", "2025")."""
        weight = self._weights.get(term)
        if weight is None:
            framing = term in FRAME_TERMS or (term not in self.idf and any(ch.isdigit() for ch in term))
            weight = self._weights[term] = self.idf[term] * (FRAME_WEIGHT if framing else 1.0)
        return weight

    def likely_duplicates(self, query: str, candidates: Mapping[int, str | Sequence[str]], threshold: float,
                          limit: int = 3) -> list[Match]:
        """The best `limit` candidates scoring at least `threshold`, best first.

        A candidate is a signature, or several (a question and the duplicates merged into it: what was
        learned from merges); its best one counts.
        """
        if not self._term_set(query).terms:
            return []
        wanted = self._term_set(query)
        content = wanted.terms - FRAME_TERMS
        scored = []
        seen: dict[str, float | None] = {}  # a signature's value, None when not hopeful: many questions share one
        for key, signatures in candidates.items():
            options = (signatures,) if isinstance(signatures, str) else signatures
            for s in options:
                if s not in seen:
                    terms = self._term_set(s)
                    seen[s] = (self._value(wanted, terms) if not content.isdisjoint(terms.terms)
                               and self._hopeful(content, wanted, terms, threshold) else None)
            hopeful = [(value, s) for s in options if (value := seen[s]) is not None]
            if not hopeful:
                continue
            value, best = max(hopeful)
            if value >= threshold:
                scored.append((value, key, best))
        found = [Match(key, value, self._shared(query, best)) for value, key, best in scored]
        found.sort(key=lambda m: -m.score)
        return found[:limit]
