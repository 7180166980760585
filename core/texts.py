"""The text catalogue: every user-facing sentence, per language, with safe formatting.

Templates are trusted HTML; the values put into them are not, so they are escaped
here, in one place, and nothing a user types can change how a message is formatted.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path

CATALOGUE_DIR = Path(__file__).with_name("catalogue")


class Html(str):
    """Text that is already safe HTML (a rendered fragment); inserted without escaping."""

    def __html__(self) -> str:
        """Jinja2 (the web console) takes it as safe markup too."""
        return str(self)


class Texts:
    def __init__(self, languages: tuple[str, ...], overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        catalogue = load_catalogue(CATALOGUE_DIR)
        self.languages = languages
        self._entries = {
            language: {**catalogue[language], **(overrides or {}).get(language, {})} for language in languages
        }

    def render(self, language: str, key: str, **values: object) -> Html:
        entries = self._entries.get(language) or self._entries[self.languages[0]]
        template = entries[key]
        safe = {name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
                for name, value in values.items()}
        return Html(template.format_map(safe))

    def plain(self, language: str, key: str) -> str:
        """A button label or other text used outside HTML."""
        return self.render(language, key)

    def keys(self, language: str) -> set[str]:
        return set(self._entries[language])

    def label(self, language: str, prefix: str, value: str) -> str:
        """What staff read for an internal value (`label("vi", "outbox_state", "sent")` → "đã gửi"); the value
        itself when the catalogue has no entry for it (a platform or a reminder kind added later)."""
        key = f"{prefix}_{value}"
        return self.plain(language, key) if key in self._entries[language] else value

    def placeholders(self, language: str, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self._entries[language][key]) if name}


def load_catalogue(folder: Path) -> dict[str, dict[str, str]]:
    """Every `*.toml` of the folder, one per feature, merged; a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        for language, entries in tomllib.loads(path.read_text(encoding="utf-8")).items():
            known = merged.setdefault(language, {})
            if clash := known.keys() & entries.keys():
                raise ValueError(f"{path.name} defines again [{language}] {', '.join(sorted(clash))}")
            known.update(entries)
    return merged


def escape(text: str) -> Html:
    return Html(html.escape(text, quote=False))


def plain_text(fragment: str) -> str:
    """What an HTML fragment reads as, for platforms and fallbacks without formatting."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def preview(text: str, length: int = 120) -> str:
    """The start of a long text for lists, marked as shortened."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
