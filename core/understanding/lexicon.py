"""One term for each meaning: synonyms, abbreviations and English twins become the same token.

"TMĐT", "thương mại điện tử" and "e-commerce" all read as `thuong_mai_dien_tu`; "qua mạng" and
"online" as `truc_tuyen`. That is what lets two wordings of one question, or a question and its
English twin, share their terms.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from core.categories import term_variant
from core.normalize import fold, words
from core.similarity import FUNCTION_WORDS

BUILT_IN = Path(__file__).with_name("lexicon.toml")
_WORD = re.compile(r"[^\W_]+")


@cache
def _built_in() -> dict:
    return tomllib.loads(BUILT_IN.read_text(encoding="utf-8"))


def built_in_groups() -> list[list[str]]:
    return _built_in()["groups"]


class Lexicon:
    """Replaces the longest known phrase at each position by its group's name."""

    def __init__(self, groups: Iterable[Sequence[str]], accented: Mapping[str, str] | None = None,
                 acronyms: Mapping[str, str] | None = None) -> None:
        self._accented = dict(_built_in()["accented"] if accented is None else accented)
        self._acronyms = dict(_built_in()["acronyms"] if acronyms is None else acronyms)
        self._function = {folded: frozenset(spellings) for folded, spellings in _built_in()["function_words"].items()}
        self._names: dict[tuple[str, ...], str] = {}
        self.shown: dict[str, str] = {}  # a group's name -> its first phrase as written, for staff
        for group in groups:
            phrases = [tuple(term_variant(word) for word in words(phrase)) for phrase in group]
            name = "_".join(phrases[0])
            self.shown.setdefault(name, group[0])
            for phrase in phrases:
                if phrase:
                    self._names.setdefault(phrase, name)
        self._longest = max((len(phrase) for phrase in self._names), default=0)
        self.twins = self._twins()

    def _twins(self) -> frozenset[tuple[str, str]]:
        """(term, term) pairs, both orders, that a word reads as with its diacritics and without them ("sàn" a
        marketplace, "san"): two wordings of one question, one typed without diacritics, share them."""
        pairs = set()
        for word in self._accented:
            folded = self.apply([term_variant(fold(word))])
            for meant in self._alone(word) or ():
                pairs |= {(meant, other) for other in folded if other != meant}
        return frozenset(pairs | {(b, a) for a, b in pairs})

    @classmethod
    def with_built_in(cls, extra: Iterable[Sequence[str]] = ()) -> Lexicon:
        """The built-in groups, after the configured ones (which win where both name a phrase)."""
        return cls([*extra, *built_in_groups()])

    def read(self, text: str) -> list[str]:
        """The named terms of `text`: `apply` on its folded words, except that a word standing alone (in no
        longer phrase) is read by its diacritics or capitals where they are written ("bán" ≠ "bạn")."""
        written = _WORD.findall(unicodedata.normalize("NFC", text))
        return self.apply([term_variant(fold(word)) for word in written], written)

    def _alone(self, word: str) -> list[str] | None:
        """What `word` means by its capitals or diacritics (no terms: a pronoun), None when nothing special."""
        meant = self._acronyms.get(word)
        if meant is None:
            meant = self._accented.get(word.lower())
        if meant is None:
            return self._content_spelling(word)
        return self.apply([term_variant(folded) for folded in words(meant)])

    def _content_spelling(self, word: str) -> list[str] | None:
        """A word that folds to a function word but is written with other diacritics, as written ("nhà")."""
        folded, written = fold(word), word.lower()
        spellings = self._function.get(folded)
        if spellings is None or folded == written or written in spellings:
            return None
        return [written]

    def apply(self, tokens: Sequence[str], written: Sequence[str] = ()) -> list[str]:
        """Known phrases of folded `tokens` by their group's name; `written`: the same words as typed, to read a
        word that stands alone by its diacritics (`read`).

        Where phrases overlap, the cut leaving fewest words outside any phrase (a function word is not outside)
        wins, then the one with fewest pieces, then the longer first phrase: "lớp học sinh" is "lớp" + "học sinh",
        not "lớp học" + "sinh".
        """
        count = len(tokens)
        best: list[tuple[int, int, int]] = [(0, 0, 0)] * (count + 1)  # (words left out, pieces, next cut)
        for start in range(count - 1, -1, -1):
            single = ((tokens[start],) in self._names or tokens[start] in FUNCTION_WORDS
                      or bool(written) and self._alone(written[start]) is not None)
            choice = (best[start + 1][0] + (not single), best[start + 1][1] + 1, start + 1)
            for size in range(min(self._longest, count - start), 1, -1):
                if tuple(tokens[start:start + size]) in self._names:
                    option = (best[start + size][0], best[start + size][1] + 1, start + size)
                    choice = min(choice, option, key=lambda c: c[:2])
            best[start] = choice
        out: list[str] = []
        start = 0
        while start < count:
            end = best[start][2]
            if end - start > 1:
                out.append(self._names[tuple(tokens[start:end])])
            else:
                alone = self._alone(written[start]) if written else None
                out += [self._names.get((tokens[start],), tokens[start])] if alone is None else alone
            start = end
        return out
