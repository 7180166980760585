"""Diacritic-insensitive text folding.

Young people often type Vietnamese without diacritics ("dang ky" for "Đăng ký"), so
matching and language heuristics compare folded text: lower case, no combining marks,
đ as d, single spaces.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case `text`, drop its diacritics (đ becomes d) and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def words(text: str) -> list[str]:
    """The folded word tokens (runs of letters or digits) of `text`."""
    return _WORD.findall(fold(text))
