"""The web console in a real headless Chromium: sign in by the link the bot sends, open a question,
merge two, reassign, answer, and the answer reaches the young person through the test channel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from core.clock import FakeClock
from core.config import Settings
from tests.browser import chromium, free_port, require_browser, screenshot, serving
from tests.console_client import login_link, staff_chat
from tests.harness import Harness
from tests.test_console_security import console_staff

TAX = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
TAX_AGAIN = "Bán hàng online trên Shopee có phải nộp thuế không ạ, em cảm ơn?"


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    require_browser()
    settings = console_staff(example_settings)
    settings = replace(settings, web=replace(settings.web, listen_port=free_port()))
    harness = Harness(settings, database_url, clock)
    yield harness
    harness.dispose()


def sign_in(driver: object, base: str, harness: Harness, account: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + login_link(staff_chat(harness, account)))  # type: ignore[attr-defined]
    driver.find_element(By.ID, "sign-in").click()  # type: ignore[attr-defined]
    assert driver.current_url == f"{base}/console/"  # type: ignore[attr-defined]


def test_sign_in_by_link_and_read_a_question(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By

    first = site.registered_youth("an")
    site.ask(first, TAX)
    site.ask(site.registered_youth("binh", "Văn Lâm"), TAX_AGAIN)
    kind = database_url.partition(":")[0].partition("+")[0]
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        assert "HY-0002" in driver.find_element(By.TAG_NAME, "table").text
        screenshot(driver, f"console-home-{kind}")
        driver.find_element(By.LINK_TEXT, "HY-0002").click()
        assert driver.find_element(By.ID, "question-text").text == TAX_AGAIN
        assert "HY-0001" in driver.find_element(By.ID, "duplicates").text
        screenshot(driver, f"console-question-{kind}")
        driver.find_element(By.LINK_TEXT, "English").click()
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    with serving(site) as base, chromium(390, 844) as phone:
        sign_in(phone, base, site, "console:officer-so-ct")
        phone.get(f"{base}/console/q/HY-0001")
        screenshot(phone, f"console-question-phone-{kind}")
