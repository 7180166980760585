"""The public FAQ: only published answers, never the asker; searched in chat without
diacritics or by category; and a static HTML page where everything is escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from core.clock import FakeClock
from core.config import Settings
from reports.faq import FaqEntry, search
from tests.harness import Harness
from tests.report_data import ANSWER_ON_TIME, LATE, ON_TIME, OVERDUE, populated_harness

ENTRIES = [
    FaqEntry("HY-0001", "ecommerce", "so-ct", ON_TIME, "Có, em cần kê khai thuế.", datetime(2023, 2, 11, tzinfo=UTC)),
    FaqEntry("HY-0005", "education", "so-gddt", "Trường em có dạy lập trình Python không?", "Có, từ lớp 10.", None),
    FaqEntry("HY-0007", "digital_gov", "so-tttt", "Làm sao đăng ký định danh điện tử VNeID mức 2?",
             "Đến công an xã.", None),
]


@pytest.mark.parametrize("query", ["e-commerce", "ecommerce", "thuong mai dien tu", "Thương mại điện tử"])
def test_a_query_naming_a_category_lists_that_category(example_settings: Settings, query: str) -> None:
    assert [e.code for e in search(ENTRIES, query, example_settings)] == ["HY-0001"]


@pytest.mark.parametrize(("query", "codes"), [
    ("thue ban hang online", ["HY-0001"]),           # no diacritics
    ("dinh danh dien tu VNeID", ["HY-0007"]),
    ("lập trình", ["HY-0005"]),
    ("học bổng du học nhật bản", []),                # nothing published about it
])
def test_free_text_matches_words_without_diacritics(example_settings: Settings, query: str,
                                                     codes: list[str]) -> None:
    assert [e.code for e in search(ENTRIES, query, example_settings)] == codes


def test_an_empty_query_finds_nothing(example_settings: Settings) -> None:
    assert search(ENTRIES, "  ", example_settings) == []


@pytest.fixture
def harness(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Harness:
    with populated_harness(example_settings, database_url, clock, tmp_path / "exports") as harness:
        yield harness


def test_young_people_search_published_answers_only(harness: Harness) -> None:
    binh = harness.youth("binh")
    assert "Chưa có câu trả lời công khai nào cho “thue”" in binh.say("/faq thue")[-1].text
    harness.admin().say("/publish HY-0001")
    found = binh.say("/faq thue ban hang online")[-1].text
    assert "Tìm thấy 1 câu đã trả lời" in found and "HY-0001" in found
    assert "đăng ký hộ kinh doanh &amp; kê khai thuế khoán &lt;b&gt;hằng năm&lt;/b&gt;" in found
    assert "an" not in found.split() and "Văn Giang" not in found  # nothing about the asker
    assert LATE not in binh.say("/faq thuong mai dien tu")[-1].text  # answered, but not published
    assert binh.say("/faq")[-1].text.startswith("Tìm trong các câu hỏi đã được trả lời")


def test_faq_page_escapes_everything_and_names_no_asker(harness: Harness, tmp_path: Path) -> None:
    harness.admin().say("/publish HY-0001")
    harness.admin().say("/publish HY-0004")
    config = tmp_path / "config.toml"
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text(encoding="utf-8")
    database = harness.settings.database_url
    config.write_text(example.replace('url = "sqlite:///youthbot.sqlite3"', f'url = "{database}"'), encoding="utf-8")
    out = tmp_path / "portal" / "faq.html"
    assert main(["--config", str(config), "faq", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<b>hằng năm</b>" not in page and "&lt;b&gt;hằng năm&lt;/b&gt;" in page
    assert "hộ kinh doanh &amp; kê khai thuế" in page and ANSWER_ON_TIME not in page
    assert ON_TIME in page and LATE in page and OVERDUE not in page
    assert page.count("<article>") == 2 and "Hỏi đáp — " in page
    for private in ("Huyện Văn Giang", "console:an", "user-an"):
        assert private not in page
