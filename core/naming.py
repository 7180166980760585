"""Finding a configured unit or field from what a person typed, diacritics ignored ("van giang").

Used by the chat (a unit typed instead of pressed) and by the offline importer (a spreadsheet's cells).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Category, District
from core.normalize import fold, words

# Words of a unit's kind ("huyện", "thị xã", "TP."): typed or not, they do not tell units apart.
DISTRICT_TITLES = frozenset("huyen thi xa thanh pho tp tx quan h".split())


def districts_named(districts: Sequence[District], text: str) -> list[District]:
    """The units whose name has every typed word (titles aside), or whose key was typed."""
    typed = set(words(text)) - DISTRICT_TITLES
    if not typed:
        return []
    return [d for d in districts if typed <= set(words(d.name)) or fold(text) == fold(d.key)]


def category_named(categories: Sequence[Category], text: str) -> Category | None:
    """The field whose key or name (in any language) is `text`, diacritics and case ignored."""
    typed = fold(text)
    return next((c for c in categories if typed in {fold(c.key), *map(fold, c.names.values())}), None)
