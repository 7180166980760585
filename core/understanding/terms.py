"""The terms a question is compared on: folded words through the lexicon, without function words,
plus each pair of neighbouring terms (Vietnamese words are mostly two syllables: "học bổng")."""

from __future__ import annotations

from core.categories import term_variant
from core.normalize import words
from core.similarity import FUNCTION_WORDS
from core.understanding.lexicon import Lexicon

# Beyond core.similarity's function words: chat shorthand, prepositions, and words every question to
# a province's dialogue shares ("tỉnh", "năm"), which say nothing about what is asked.
STOP_TERMS = FUNCTION_WORDS | frozenset("""
e mn mng ntn j z ak ah nha nhe ne thi vay ve ra len vao tu den tai trong tren bi hay nua dau nao sao
tinh nam nguoi moi tat ca hien nay hoi cho xin kinh gui lanh dao
have has get got any there here from about
""".split())


def content_terms(text: str, lexicon: Lexicon) -> list[str]:
    """Folded, lexicon-named words of `text` in order, function words left out."""
    named = lexicon.apply([term_variant(word) for word in words(text)])
    return [term for term in named if term not in STOP_TERMS]


def features(terms: list[str]) -> list[str]:
    """Unigrams and neighbouring pairs."""
    return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
