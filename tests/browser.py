"""Real headless Chromium (Debian's chromium and chromedriver) driven by Selenium, against the bot's
web server run by uvicorn in a thread on a free port.

Without a browser the tests skip, saying why; under CI (`YOUTHBOT_REQUIRE_BROWSER=1`, set by .ci/run)
its absence fails them. Screenshots go to tests/artifacts/ (git-ignored), to be looked at."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest

from bot.health import Health
from bot.metrics import DatabaseGauges
from bot.web import web_server
from core.config import Settings
from tests.harness import Harness

T = TypeVar("T")

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("YOUTHBOT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("YOUTHBOT_CHROMEDRIVER", "/usr/bin/chromedriver")


def require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if not missing:
        return
    reason = f"headless Chromium unavailable: missing {', '.join(missing)} (apt-get install chromium chromium-driver)"
    if os.environ.get("YOUTHBOT_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def serving(harness: Harness) -> Iterator[str]:
    """The harness's app behind the product's own web server (health, metrics, console), on
    `harness.settings.web.listen_port`; yields its base URL."""
    web = harness.settings.web
    server = web_server(harness.app, Health(harness.app.engine), DatabaseGauges(harness.app.sessions, harness.clock))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # uvicorn says when it listens; no fixed wait
        if not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{web.listen_host}:{web.listen_port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium(width: int = 1280, height: int = 900, downloads: Path | None = None) -> Iterator[object]:
    """A headless browser; files it downloads go to `downloads` when given."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--lang=vi"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, name: str) -> Path:
    """The whole page (not only the window), as tests/artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    width = driver.execute_script("return window.innerWidth")  # type: ignore[attr-defined]
    driver.set_window_size(width, max(height, 400) + 120)  # type: ignore[attr-defined]
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path


def follow(driver: object, element: object) -> None:
    """Click what leads to another page (a link, a form's button) and wait until the browser has left this
    one, so nothing is read from the page being replaced."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    element.click()  # type: ignore[attr-defined]

    def left(_driver: object) -> bool:
        try:
            page.is_enabled()  # type: ignore[attr-defined]
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:  # Chromium's word, mid-navigation, for a node of the old page
            if "does not belong to the document" in str(error):
                return True
            raise
        return False
    WebDriverWait(driver, 30).until(left)


def read_live(driver: object, read: Callable[[object], T]) -> T:
    """Read from a part of the page that live.js may replace at any moment (the board, the dashboard): a read
    that meets a replaced node is tried again on the new one."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException, WebDriverException)).until(
        read)


def browser_settings(settings: Settings) -> Settings:
    """The settings of a browser test's site: a browser required, the console's staff, a free port of its own."""
    from tests.test_console_security import console_staff
    from tests.test_migrate_lock import free_port

    require_browser()
    staffed = console_staff(settings)
    return replace(staffed, web=replace(staffed.web, listen_port=free_port()))
