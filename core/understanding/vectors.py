"""Sparse TF-IDF vectors over terms, and their cosine."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

Vector = dict[str, float]


class Idf:
    """Inverse document frequency from a reference set of texts (examples, keywords, open questions).

    A term never seen is taken as rare as the rarest: an unknown word is likely a specific one. The
    document frequencies are kept, so that `extended` costs the new documents only; each term's value is
    computed when first read.
    """

    def __init__(self, documents: Iterable[Iterable[str]] = ()) -> None:
        self._counts: Counter[str] = Counter()
        self._total = 0
        self._add(documents)

    def _add(self, documents: Iterable[Iterable[str]]) -> None:
        for document in documents:
            self._counts.update(set(document))
            self._total += 1
        self._unknown = math.log(self._total + 1) + 1
        self._idf: dict[str, float] = {}

    def extended(self, documents: Iterable[Iterable[str]]) -> Idf:
        """The idf of these documents and `documents`: equal to building it from all of them."""
        idf = Idf()
        idf._counts = self._counts.copy()
        idf._total = self._total
        idf._add(documents)
        return idf

    def counts(self) -> list[tuple[str, int]]:
        """Each term's document frequency, and the number of documents under the empty term."""
        return [*self._counts.items(), ("", self._total)]

    def __contains__(self, term: object) -> bool:
        return term in self._counts

    def __getitem__(self, term: str) -> float:
        if (value := self._idf.get(term)) is None:
            count = self._counts.get(term)
            value = self._unknown if count is None else math.log((self._total + 1) / (count + 1)) + 1
            self._idf[term] = value
        return value


def vector(features: Iterable[str], idf: Idf) -> Vector:
    """Binary term weights (a question is short; repeats carry little) times idf, unit length."""
    weights = {term: idf[term] for term in set(features)}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / norm for term, w in weights.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())
