"""One term for each meaning: synonyms, abbreviations and English twins become the same token.

"TMĐT", "thương mại điện tử" and "e-commerce" all read as `thuong_mai_dien_tu`; "qua mạng" and
"online" as `truc_tuyen`. That is what lets two wordings of one question, or a question and its
English twin, share their terms.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from core.categories import term_variant
from core.normalize import words

BUILT_IN = Path(__file__).with_name("lexicon.toml")


def built_in_groups() -> list[list[str]]:
    return tomllib.loads(BUILT_IN.read_text(encoding="utf-8"))["groups"]


class Lexicon:
    """Replaces the longest known phrase at each position by its group's name."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
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

    @classmethod
    def with_built_in(cls, extra: Iterable[Sequence[str]] = ()) -> Lexicon:
        """The built-in groups, after the configured ones (which win where both name a phrase)."""
        return cls([*extra, *built_in_groups()])

    def apply(self, tokens: Sequence[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(tokens):
            for size in range(min(self._longest, len(tokens) - index), 0, -1):
                name = self._names.get(tuple(tokens[index:index + size]))
                if name is not None:
                    out.append(name)
                    index += size
                    break
            else:
                out.append(tokens[index])
                index += 1
        return out
