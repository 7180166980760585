"""The catalogue: complete in every language, used by the code, escaping what users type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.table import ACTIONS
from core.texts import Html, Texts, load_catalogue
from core.textsplit import split_html

ROOT = Path(__file__).resolve().parents[1]


def test_every_entry_exists_in_both_languages_with_the_same_placeholders() -> None:
    texts = Texts(("vi", "en"))
    assert texts.keys("vi") == texts.keys("en")
    for key in texts.keys("vi"):
        assert texts.placeholders("vi", key) == texts.placeholders("en", key), key


PRODUCT_PACKAGES = ("actions", "bot", "core", "handlers", "scheduler", "storage", "reports", "timing", "webconsole")


def test_every_entry_is_used_by_the_code() -> None:
    sources = [p for package in PRODUCT_PACKAGES for kind in ("*.py", "*.html") for p in (ROOT / package).rglob(kind)]
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used = set(re.findall(r"[\"']([a-z_]+)[\"']", code))
    keys = Texts(("vi",)).keys("vi")
    built = {k for k in keys if k.startswith(("status_", "command_", "channel_", "outbox_state_", "reminder_kind_",
                                              "reminder_state_", "language_", "action_", "surface_", "role_",
                                              "audit_status_", "help_header_", "console_role_", "console_event_",
                                              "console_action_", "console_board_filter_", "console_board_sort_",
                                              "console_board_due_", "console_language_",
                                              "platform_", "commitment_status_", "import_col_",
                                              "import_list_", "console_broadcast_kind_",
                                              "console_reports_format_"))}  # looked up as f"status_{status}" etc.
    built |= {f"console_broadcasts_{verb}" for verb in ("pause", "resume", "cancel")}  # broadcasts_list.html
    built |= {f"console_reports_{action}{part}" for action in ("report", "programme") for part in ("", "_explain")}
    built |= {f"{action.name}_button" for action in ACTIONS}  # a review card's buttons: f"{name}_button"
    assert keys - used - built == set()


def test_values_are_escaped_but_fragments_are_not() -> None:
    texts = Texts(("vi",))
    html = texts.render("vi", "pending_item", code=Html("<b>x</b>"), text="<script>&")
    assert html == "<b><b>x</b></b> · &lt;script&gt;&amp;"


def test_a_key_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[vi]\nhello = "Chào"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[vi]\nhello = "Xin chào"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="b.toml defines again \\[vi\\] hello"):
        load_catalogue(tmp_path)


def test_overrides_replace_entries() -> None:
    assert Texts(("vi",), {"vi": {"help": "Riêng"}}).render("vi", "help") == "Riêng"


def test_split_keeps_every_word_and_closes_tags() -> None:
    html = "<b>" + " ".join(f"w{i}" for i in range(600)) + "</b>"
    parts = split_html(html, 500)
    assert all(len(p) <= 500 for p in parts)
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)
    assert " ".join(re.sub(r"</?b>", "", p) for p in parts).split() == [f"w{i}" for i in range(600)]


def test_split_never_cuts_an_entity_or_a_tag() -> None:
    html = "&amp;" * 300 + '<a href="https://example.org/path">link</a>'
    parts = split_html(html, 200)
    assert all(re.fullmatch(r"(&amp;)*(<a href=\"[^\"]+\">link</a>)?|(</?a[^>]*>)?", p) or p for p in parts)
    assert "".join(parts).count("&amp;") == 300
    assert all(not re.search(r"&[a-z]*$", p) for p in parts)


def test_short_text_is_one_part() -> None:
    assert split_html("xin chào", 10) == ["xin chào"]
