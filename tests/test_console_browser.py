"""The web console in a real headless Chromium: sign in by the link the bot sends, open a question,
merge two, reassign, answer, and the answer reaches the young person through the test channel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from core.clock import FakeClock
from core.config import Settings
from tests.browser import browser_settings, chromium, follow, read_live, screenshot, serving
from tests.console_client import login_link, staff_chat
from tests.harness import Harness

TAX = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
TAX_AGAIN = "Bán hàng online trên Shopee có phải nộp thuế không ạ, em cảm ơn?"


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(browser_settings(example_settings), database_url, clock)
    yield harness
    harness.dispose()


def sign_in(driver: object, base: str, harness: Harness, account: str, shot: str = "") -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + login_link(staff_chat(harness, account)))  # type: ignore[attr-defined]
    if shot:
        screenshot(driver, shot)
    follow(driver, driver.find_element(By.ID, "sign-in"))
    assert driver.current_url == f"{base}/console/"  # type: ignore[attr-defined]


def test_sign_in_by_link_and_read_a_question(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By

    first = site.registered_youth("an")
    site.ask(first, TAX)
    site.ask(site.registered_youth("binh", "Văn Lâm"), TAX_AGAIN)
    kind = database_url.partition(":")[0].partition("+")[0]
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        assert "HY-0002" in read_live(driver, lambda d: d.find_element(By.TAG_NAME, "table").text)
        screenshot(driver, f"console-home-{kind}")
        link = read_live(driver, lambda d: d.find_element(By.LINK_TEXT, "HY-0002").get_attribute("href"))
        driver.get(link)  # by its address: the board's live refresh may replace the link under a click
        assert driver.find_element(By.ID, "question-text").text == TAX_AGAIN
        assert "HY-0001" in driver.find_element(By.ID, "duplicates").text
        screenshot(driver, f"console-question-{kind}")
        follow(driver, driver.find_element(By.LINK_TEXT, "English"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert driver.current_url.endswith("/console/q/HY-0002")  # the same page, in English
        screenshot(driver, f"console-question-en-{kind}")
        follow(driver, driver.find_element(By.LINK_TEXT, "Tiếng Việt"))
        follow(driver, driver.find_element(By.LINK_TEXT, site.app.services.texts.plain("vi", "console_nav_staff")))
        assert "console:officer-so-ct" in driver.find_element(By.TAG_NAME, "table").text
        screenshot(driver, f"console-staff-{kind}")
    with serving(site) as base, chromium(390, 844) as phone:
        sign_in(phone, base, site, "console:officer-so-ct", shot=f"console-signin-phone-{kind}")
        screenshot(phone, f"console-home-phone-{kind}")
        phone.get(f"{base}/console/q/HY-0001")
        screenshot(phone, f"console-question-phone-{kind}")


def test_merge_reassign_and_answer_from_the_web(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    asker, supporter = site.registered_youth("an"), site.registered_youth("binh", "Văn Lâm")
    site.ask(asker, TAX)
    site.ask(supporter, TAX_AGAIN)
    kind = database_url.partition(":")[0].partition("+")[0]
    answer = "Có, em cần đăng ký và kê khai thuế khi doanh thu trên 100 triệu đồng một năm."
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        driver.get(f"{base}/console/q/HY-0002")
        follow(driver, driver.find_element(By.CSS_SELECTOR, "[data-merge='HY-0001']"))
        assert driver.find_element(By.ID, "outcome").get_attribute("class") == "notice"
        assert site.app.services.texts.plain("vi", "status_merged") in driver.find_element(By.TAG_NAME, "h1").text
        screenshot(driver, f"console-merged-{kind}")

        driver.get(f"{base}/console/q/HY-0001")
        form = driver.find_element(By.ID, "action-reassign")
        Select(form.find_element(By.NAME, "department")).select_by_value("so-gddt")
        follow(driver, form.find_element(By.TAG_NAME, "button"))
        assert driver.find_element(By.ID, "department").text == site.settings.department("so-gddt").name
        screenshot(driver, f"console-reassigned-{kind}")

    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:officer-so-gddt")
        driver.get(f"{base}/console/q/HY-0001")
        form = driver.find_element(By.ID, "action-answer")
        form.find_element(By.NAME, "text").send_keys(answer)
        follow(driver, form.find_element(By.TAG_NAME, "button"))
        assert driver.find_element(By.ID, "outcome").get_attribute("class") == "notice"
        assert answer in driver.find_element(By.CSS_SELECTOR, ".answer-text").text
        screenshot(driver, f"console-answered-{kind}")
    site.flush()  # the outbox, as the sender would drain it
    assert answer in asker.last().text  # the asker gets it as an officer's reply in the group
    assert answer in supporter.last().text  # and so does the asker of the merged duplicate
