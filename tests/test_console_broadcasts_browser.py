"""Broadcasts in a real headless Chromium: compose, preview (the message as chats show it, the audience
size), send, watch the progress move by the page's own refresh as the pump and the sender work, pause.
Screenshots go to tests/artifacts/ (console-broadcasts-*)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.clock import FakeClock
from core.config import Settings
from storage import broadcasts as store
from storage.models import Broadcast
from tests.browser import browser_settings, chromium, follow, screenshot, serving
from tests.harness import Harness
from tests.test_console_browser import sign_in

ANNOUNCEMENT = "Buổi đối thoại diễn ra lúc 8:00 ngày 28/3 tại Hội trường tỉnh. Mời các bạn đăng ký dự!"
SECOND = "Nhắc lại: hạn gửi câu hỏi là 20/3."


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(browser_settings(example_settings), database_url, clock)
    for i, district in enumerate(("Văn Giang", "Yên Mỹ") * 4):
        harness.registered_youth(f"y{i}", district)
    harness.pump.batch = 2
    yield harness
    harness.dispose()


def kind_of(url: str) -> str:
    return url.partition(":")[0].partition("+")[0]


def test_compose_preview_send_watch_and_pause(site: Harness, database_url: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    def row_sent(driver: object) -> str:
        return driver.find_element(By.ID, "broadcast-1").get_attribute("data-sent")  # type: ignore[attr-defined]

    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        follow(driver, driver.find_element(By.LINK_TEXT, "Thông báo"))
        driver.find_element(By.ID, "bc-text").send_keys(ANNOUNCEMENT)
        driver.find_element(By.NAME, "link_label").send_keys("Đăng ký dự")
        driver.find_element(By.NAME, "link_url").send_keys("https://example.vn/dang-ky")
        follow(driver, driver.find_element(By.ID, "bc-preview"))
        with site.app.sessions() as session:
            expected = store.count_audience(session, Broadcast(districts=[], language=None))
        assert driver.find_element(By.ID, "audience-count").text == str(expected) == "8"
        assert ANNOUNCEMENT in driver.find_element(By.CSS_SELECTOR, "#preview .bubble-text").text
        assert "Đăng ký dự" in driver.find_element(By.CSS_SELECTOR, "#preview .bubble-button").text
        assert not site.transport.delivered or all(ANNOUNCEMENT not in d.text for d in site.transport.delivered)
        follow(driver, driver.find_element(By.ID, "bc-send"))
        started = site.app.services.texts.render("vi", "console_broadcast_started", id=1, count=8)
        assert driver.find_element(By.ID, "outcome").text == started
        assert driver.find_element(By.ID, "broadcast-1").get_attribute("data-status") == "sending"
        assert row_sent(driver) == "0"

        site.pump.tick()  # the pump enqueues a batch of two, the sender sends them
        site.flush()
        driver.execute_script("window.youthbotRefresh()")
        WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: row_sent(d) == "2")  # the list is replaced while it is read
        assert "2 · " in driver.find_element(By.CSS_SELECTOR, "#broadcast-1 .tally").text

        driver.find_element(By.ID, "bc-text").send_keys(SECOND)  # a second one, previewed beside the list
        driver.find_element(By.CSS_SELECTOR, "input[name=district][value=van-giang]").click()
        follow(driver, driver.find_element(By.ID, "bc-preview"))
        assert driver.find_element(By.ID, "audience-count").text == "4"
        screenshot(driver, f"console-broadcasts-{kind_of(database_url)}")

        follow(driver, driver.find_element(By.CSS_SELECTOR, "#broadcast-1 button.verb-pause"))
        paused = site.app.services.texts.render("vi", "console_broadcast_paused", id=1)
        assert driver.find_element(By.ID, "outcome").text == paused
        assert driver.find_element(By.ID, "broadcast-1").get_attribute("data-status") == "paused"
        assert driver.find_elements(By.CSS_SELECTOR, "#broadcast-1 button.verb-resume")
        site.run_broadcasts()
        assert sum(ANNOUNCEMENT in d.text for d in site.transport.delivered) == 2  # paused: nothing more
        screenshot(driver, f"console-broadcasts-paused-{kind_of(database_url)}")
        driver.set_window_size(390, 800)
        screenshot(driver, f"console-broadcasts-phone-{kind_of(database_url)}")


def test_a_leader_sees_the_documents_to_download(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By

    with serving(site) as base, chromium(1100, 700) as driver:
        sign_in(driver, base, site, "console:leader")
        assert not driver.find_elements(By.LINK_TEXT, "Thông báo")  # broadcasts are coordination's
        follow(driver, driver.find_element(By.LINK_TEXT, "Báo cáo"))
        for key in ("docx", "xlsx", "csv", "programme", "transmittal-so-ct"):
            assert driver.find_element(By.ID, f"download-{key}").is_displayed()
        screenshot(driver, f"console-reports-{kind_of(database_url)}")
