"""The board and the dashboard in a real headless Chromium: filter and search the board (typed without
diacritics), see it refresh by itself when a question arrives, and read on the dashboard the very
figures of the report; tick two questions and approve them at once. Screenshots go to tests/artifacts/
(console-board-*, console-dashboard-*)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from core.clock import FakeClock
from core.config import Settings
from reports.stats import gather_stats
from storage.db import transaction
from storage.models import AuditEntry, Campaign, Question, QuestionStatus
from tests.browser import browser_settings, chromium, follow, screenshot, serving
from tests.harness import Harness
from tests.report_data import populate, populate_campaign, reporting_harness
from tests.test_console_browser import sign_in


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock, tmp_path) -> Iterator[Harness]:
    harness = reporting_harness(browser_settings(example_settings), database_url, clock, tmp_path)
    populate(harness)
    populate_campaign(harness, 80)
    with transaction(harness.app.sessions) as session:  # the bulk questions took numbers the counter did not give
        session.execute(update(Campaign).values(last_number=select(func.max(Question.number)).scalar_subquery()))
    yield harness
    harness.dispose()


def kind_of(url: str) -> str:
    return url.partition(":")[0].partition("+")[0]


def first_poll(driver: object, box: str) -> int:
    """The status of live.js's first poll of the live part `box` since the page loaded (a tick, done at once)."""
    from selenium.webdriver.support.wait import WebDriverWait

    driver.execute_script("window.youthbotRefresh()")  # type: ignore[attr-defined]
    script = """return performance.getEntriesByType("resource")
        .filter(e => e.name.endsWith(document.getElementById(arguments[0]).getAttribute("data-live"))
                     && e.responseEnd > 0).map(e => e.responseStatus)"""
    statuses = WebDriverWait(driver, 30).until(lambda d: d.execute_script(script, box))
    return statuses[0]


def test_filter_and_search_the_board_and_it_refreshes_itself(site: Harness, database_url: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:coord")
        screenshot(driver, f"console-board-{kind_of(database_url)}")
        driver.find_element(By.ID, "search").send_keys("shopee thue")  # as typed on a phone, no diacritics
        Select(driver.find_element(By.ID, "filter-department")).select_by_value("so-ct")
        driver.find_element(By.ID, "apply").click()
        WebDriverWait(driver, 30).until(lambda d: "search=shopee+thue" in d.current_url)
        assert "department=so-ct" in driver.current_url
        codes = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#board tbody td:nth-child(2) a")]
        assert "HY-0001" in codes and all(code.startswith("HY-") for code in codes)
        screenshot(driver, f"console-board-search-{kind_of(database_url)}")

        Select(driver.find_element(By.ID, "filter-due")).select_by_value("overdue")
        driver.find_element(By.ID, "search").clear()
        driver.find_element(By.ID, "apply").click()
        WebDriverWait(driver, 30).until(lambda d: "due=overdue" in d.current_url)
        overdue = driver.find_elements(By.CSS_SELECTOR, "#board tbody tr")
        assert overdue and all("overdue" in row.get_attribute("class") for row in overdue)

        driver.get(f"{base}/console/?department=so-ct")
        before = driver.find_element(By.ID, "board-count").text
        assert first_poll(driver, "board-live") == 304  # nothing changed since the page: the ETag it gave
        assert driver.find_element(By.ID, "board-live").get_attribute("data-refreshed") is None
        asker = site.registered_youth("dung", "Văn Giang")
        site.ask(asker, "Em muốn mở cửa hàng bán online trên TikTok thì cần thủ tục gì?", "Thương mại")
        driver.execute_script("window.youthbotRefresh()")  # what the 15-second tick does
        WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_element(By.ID, "board-count").text != before)  # the list is replaced as it is read
        assert driver.find_element(By.CSS_SELECTOR, "#board tbody tr a").text.startswith("HY-")


def test_the_dashboard_reads_the_reports_figures(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    with site.app.sessions() as session:
        stats = gather_stats(session, site.settings, site.app.processor.campaign_id, site.clock.now())
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:coord")
        driver.find_element(By.LINK_TEXT, "Tiến độ").click()
        assert driver.find_element(By.ID, "total").text == str(stats.total)
        for department in stats.departments:
            if not department.key:
                continue
            row = driver.find_element(By.CSS_SELECTOR, f'tr[data-department="{department.key}"]')
            shown = {cell.get_attribute("data-figure"): cell.text
                     for cell in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")}
            assert {name: int(shown[name]) for name in ("received", "answered", "late", "overdue", "pending")} == {
                name: getattr(department, name) for name in ("received", "answered", "late", "overdue", "pending")}
        images = driver.find_elements(By.CSS_SELECTOR, ".chart-grid img")
        driver.execute_script("arguments[0].scrollIntoView()", images[-1])
        assert len(images) == 6
        WebDriverWait(driver, 30).until(lambda d: all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) for image in images))
        screenshot(driver, f"console-dashboard-{kind_of(database_url)}")
        driver.find_element(By.ID, "nudge-so-ct").click()
        assert driver.find_element(By.ID, "outcome").text
    with serving(site) as base, chromium(390, 844) as phone:
        sign_in(phone, base, site, "console:officer-so-ct")
        screenshot(phone, f"console-board-phone-{kind_of(database_url)}")


def test_tick_two_questions_and_approve_them_at_once(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        driver.get(f"{base}/console/?status=in_review")
        boxes = driver.find_elements(By.CSS_SELECTOR, '#bulk input[name="code"]')
        assert len(boxes) >= 3  # two ticked, at least one left alone
        ticked = [box.get_attribute("value") for box in boxes[:2]]
        untouched = boxes[2].get_attribute("value")
        for box in boxes[:2]:
            box.click()
        Select(driver.find_element(By.ID, "bulk-action")).select_by_value("approve")
        follow(driver, driver.find_element(By.ID, "bulk-apply"))
        assert driver.find_element(By.ID, "outcome").text
        screenshot(driver, f"console-board-bulk-{kind_of(database_url)}")
    with site.app.sessions() as session:
        status = dict(session.execute(select(Question.code, Question.status)
                                      .where(Question.code.in_([*ticked, untouched]))).all())
        audited = session.execute(select(Question.code).join(AuditEntry, AuditEntry.question_id == Question.id)
                                  .where(AuditEntry.action == "approve", AuditEntry.surface == "web",
                                         AuditEntry.status == "done")).scalars().all()
    assert {status[code] for code in ticked} == {QuestionStatus.FORWARDED}
    assert status[untouched] == QuestionStatus.IN_REVIEW
    assert sorted(audited) == sorted(ticked)  # one audit row each, as `/approve` in chat writes
