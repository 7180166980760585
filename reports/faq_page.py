"""The FAQ as one static HTML page for the province's portal: every value escaped, a small
script filters entries as one types, ignoring diacritics like the chat search does."""

from __future__ import annotations

from html import escape
from pathlib import Path

from core.config import Settings
from reports.faq import FaqEntry, faq_answer
from reports.labels import Labels

SCRIPT = """
const fold = s => s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
const box = document.getElementById('q');
box.addEventListener('input', () => {
  const terms = fold(box.value).split(/\\s+/).filter(Boolean);
  for (const item of document.querySelectorAll('article')) {
    const text = fold(item.textContent);
    item.hidden = !terms.every(t => text.includes(t));
  }
});
"""


def write_faq_page(entries: list[FaqEntry], settings: Settings, labels: Labels, title: str, out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    categories = {c.key: c.name(labels.language) for c in settings.categories}
    departments = {d.key: d.name for d in settings.departments}
    articles = "\n".join(_article(e, categories, departments, labels) for e in entries)
    page = f"""<!doctype html>
<html lang="{escape(labels.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:50rem;margin:auto;padding:1rem}}article{{border-bottom:1px solid #ccc;
padding:.5rem 0}}.meta{{color:#555;font-size:.9em}}p{{white-space:pre-line}}input{{width:100%;padding:.5rem}}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<input id="q" type="search" placeholder="{escape(labels("faq_page_search"))}">
{articles or f"<p>{escape(labels('faq_page_empty'))}</p>"}
<script>{SCRIPT}</script>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8")
    return len(entries)


def _article(entry: FaqEntry, categories: dict[str, str], departments: dict[str, str], labels: Labels) -> str:
    meta = " · ".join(filter(None, (entry.code, categories.get(entry.category_key, entry.category_key),
                                    departments.get(entry.department_key, entry.department_key),
                                    labels.date(entry.answered_at))))
    return (f"<article><h2>{escape(entry.question)}</h2><p class=\"meta\">{escape(meta)}</p>"
            f"<p>{escape(faq_answer(entry, labels))}</p></article>")
