"""Questions gathered offline, in a real headless Chromium: upload a spreadsheet with good
and bad rows through the real file input, read the bad rows with their reasons while nothing is stored,
confirm, and see the imported questions on the board, routed with a deadline and carded to their
departments' groups. Screenshots: tests/artifacts/console-import-*."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from core.texts import plain_text
from storage.models import Question, QuestionStatus
from tests.browser import browser_settings, chromium, follow, screenshot, serving
from tests.harness import Harness
from tests.test_console_browser import sign_in
from tests.test_console_import import BAD, ROWS, SOURCE, xlsx


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Harness]:
    settings = browser_settings(example_settings)
    settings = replace(settings, reports=replace(settings.reports, folder=tmp_path / "exports"))
    harness = Harness(settings, database_url, clock)
    yield harness
    harness.dispose()


def stored(harness: Harness) -> list[Question]:
    with harness.app.sessions() as session:
        found = list(session.scalars(select(Question).order_by(Question.number)))
        session.expunge_all()
        return found


def test_upload_preview_and_confirm_an_offline_list(site: Harness, database_url: str, tmp_path: Path) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    kind = database_url.partition(":")[0].partition("+")[0]
    spreadsheet = tmp_path / "cau-hoi-van-giang.xlsx"
    spreadsheet.write_bytes(xlsx(ROWS))
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        follow(driver, driver.find_element(By.CSS_SELECTOR, 'nav a[href="/console/import"]'))
        source = driver.find_element(By.ID, "source")
        source.send_keys(SOURCE)
        driver.find_element(By.ID, "file").send_keys(str(spreadsheet))  # the real file input
        screenshot(driver, f"console-import-form-{kind}")
        follow(driver, driver.find_element(By.ID, "upload"))

        bad = {row.get_attribute("data-line"): row.find_element(By.CLASS_NAME, "reasons").text
               for row in driver.find_elements(By.CSS_SELECTOR, "#bad-rows tbody tr")}
        texts = site.app.services.texts
        assert bad == {str(line): plain_text(texts.render("vi", key, **values)) for line, (key, values) in BAD.items()}
        good = driver.find_elements(By.CSS_SELECTOR, "#good-rows tbody tr")
        assert [row.get_attribute("data-line") for row in good] == ["2", "3"]
        assert stored(site) == []  # nothing until confirmed
        screenshot(driver, f"console-import-{kind}")

        follow(driver, driver.find_element(By.ID, "confirm"))
        assert driver.find_element(By.ID, "outcome").text.startswith("Đã nhập 2 câu hỏi")
        site.flush()  # the outbox's sender, as the running bot's
        imported = stored(site)
        assert [(q.code, q.status, q.department_key) for q in imported] == [
            ("HY-0001", QuestionStatus.FORWARDED, "so-ct"), ("HY-0002", QuestionStatus.FORWARDED, "so-nnptnt")]
        assert all(q.answer_due_at is not None and q.source_id for q in imported)
        card = site.messages_to("dept-so-ct")[-1].text
        assert "HY-0001" in card and "Huyện đoàn Văn Giang" in card
        assert "HY-0002" in site.messages_to("dept-so-nnptnt")[-1].text

        follow(driver, driver.find_element(By.ID, "imported-board"))
        WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: {a.text for a in d.find_elements(By.CSS_SELECTOR, "#board tbody td:nth-child(2) a")}
            == {"HY-0001", "HY-0002"})  # the list may be replaced by its live refresh as it is read
        assert SOURCE in driver.find_element(By.ID, "filter-source").text
        screenshot(driver, f"console-import-board-{kind}")

        # its page (opened by address: the board's list may be refreshing itself under a click)
        driver.get(f"{base}/console/q/HY-0001")
        page = driver.find_element(By.ID, "main").text
        assert "Sở Công Thương" in page and "06/03/2023" in page and "offline" not in page.lower()
        assert driver.find_element(By.ID, "source").text == SOURCE
        screenshot(driver, f"console-import-question-{kind}")
