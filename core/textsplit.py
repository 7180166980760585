"""Split a long HTML message into parts a platform accepts, without losing a character.

Parts end at paragraph, line or word boundaries when possible, never inside a tag or
an entity, and formatting open at a cut is closed and reopened in the next part.
Lengths are UTF-16 code units, as Telegram counts them (an emoji outside the Basic
Multilingual Plane is two), and tags count too: a part fits whatever the platform counts.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<(/?)([a-z]+)[^>]*>|&[#a-z0-9]+;|[^<&]", re.IGNORECASE)


def utf16_length(text: str) -> int:
    """The length Telegram measures: UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def split_html(html: str, limit: int) -> list[str]:
    """Parts of at most `limit` UTF-16 code units each."""
    if utf16_length(html) <= limit:
        return [html]
    parts: list[str] = []
    rest = html
    while utf16_length(rest) > limit:
        head, rest = _cut(rest, limit)
        parts.append(head)
    parts.append(rest)
    return parts


def _cut(html: str, limit: int) -> tuple[str, str]:
    """The best first part (with open tags closed) and the rest (with them reopened).

    Best means: in the second half of the allowed length if possible, then at the
    strongest boundary (paragraph > line > word > anywhere), then as long as possible.
    """
    budget = max(limit - 40, limit // 2)  # leave room to close the tags still open at the cut
    open_tags: list[re.Match[str]] = []
    candidates: list[tuple[bool, int, int, list[re.Match[str]]]] = []
    units = 0
    for token in _TOKEN.finditer(html):
        units += utf16_length(token.group(0))
        if units > budget:
            break
        if token.group(2) and token.group(1):
            if open_tags:
                open_tags.pop()
        elif token.group(2):
            open_tags.append(token)
        end = token.end()
        candidates.append((units >= budget // 2, _boundary_rank(html, end), end, list(open_tags)))
    _, _, end, still_open = max(candidates, key=lambda c: c[:3])
    closing = "".join(f"</{tag.group(2)}>" for tag in reversed(still_open))
    reopening = "".join(tag.group(0) for tag in still_open)
    return html[:end].rstrip() + closing, reopening + html[end:].lstrip()


def _boundary_rank(html: str, position: int) -> int:
    if html.startswith("\n\n", position):
        return 3
    if html.startswith("\n", position):
        return 2
    if html.startswith(" ", position):
        return 1
    return 0
