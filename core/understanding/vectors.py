"""Sparse TF-IDF vectors over terms, and their cosine."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

Vector = dict[str, float]


class Idf:
    """Inverse document frequency from a reference set of texts (examples, keywords, open questions).

    A term never seen is taken as rare as the rarest: an unknown word is likely a specific one.
    """

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for document in documents:
            counts.update(set(document))
            total += 1
        self._unknown = math.log(total + 1) + 1
        self._idf = {term: math.log((total + 1) / (count + 1)) + 1 for term, count in counts.items()}

    def __contains__(self, term: object) -> bool:
        return term in self._idf

    def __getitem__(self, term: str) -> float:
        return self._idf.get(term, self._unknown)


def vector(features: Iterable[str], idf: Idf) -> Vector:
    """Binary term weights (a question is short; repeats carry little) times idf, unit length."""
    weights = {term: idf[term] for term in set(features)}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / norm for term, w in weights.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())
