"""The event day in a real headless Chromium: build the agenda from the suggestions, reorder it by a button
and by a drag, show a question on the projector (1920×1080: its code, district and text, nothing else)
which follows the secretariat by itself, and record a leader's answer live that reaches the asker and a
supporter through the test channel and is credited to that leader in the report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.config import Settings
from reports.rows import report_rows
from storage.models import Question
from tests.browser import ARTIFACTS, browser_settings, chromium, follow, screenshot, serving
from tests.harness import Harness
from tests.test_console_browser import sign_in
from tests.test_event_day import agenda_codes, ask_all, support

HOSTS = ("Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh", "Bà Trần Thị Lan, Giám đốc Sở Thông tin và Truyền thông")
LATE = "Tỉnh có chương trình hỗ trợ vốn khởi nghiệp cho thanh niên nông thôn không ạ?"
DRAG = """
const [from, to] = arguments;
const data = new DataTransfer();
for (const [target, kind] of [[from, 'dragstart'], [to, 'dragover'], [to, 'drop']]) {
  target.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, dataTransfer: data}));
}
"""


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    settings = browser_settings(example_settings)
    settings = replace(settings, campaign=replace(settings.campaign, hosts=HOSTS))
    harness = Harness(settings, database_url, clock)
    yield harness
    harness.dispose()


def rows(driver: object) -> list[str]:
    from selenium.webdriver.common.by import By

    return [row.find_element(By.TAG_NAME, "a").text
            for row in driver.find_elements(By.CSS_SELECTOR, "#agenda-rows tr")]  # type: ignore[attr-defined]


def test_agenda_projector_and_live_answer(site: Harness, database_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    codes = ask_all(site)
    support(site, codes["4g"], "s1")
    kind = database_url.partition(":")[0].partition("+")[0]
    summary = "Đến hết năm 2024, 100% các xã của tỉnh được phủ sóng 4G; Sở Thông tin và Truyền thông giám sát."
    with serving(site) as base, chromium() as driver:
        sign_in(driver, base, site, "console:admin")
        follow(driver, driver.find_element(By.LINK_TEXT, site.app.services.texts.plain("vi", "event_nav")))
        suggested = [box.get_attribute("value") for box in driver.find_elements(By.NAME, "codes")]
        assert suggested[0] == codes["4g"] and len(suggested) == 4  # the most supported first
        driver.find_elements(By.NAME, "codes")[3].click()  # untick the fourth: three picked at once
        follow(driver, driver.find_element(By.ID, "pick-ticked"))
        assert rows(driver) == suggested[:3] == agenda_codes(site)
        assert [box.get_attribute("value") for box in driver.find_elements(By.NAME, "codes")] == suggested[3:]
        follow(driver, driver.find_element(By.CSS_SELECTOR, ".pick-one"))  # and one by its own button
        assert rows(driver) == suggested == agenda_codes(site)
        follow(driver, driver.find_elements(By.CSS_SELECTOR, "#agenda-rows .move-down")[0])  # without script
        order = [suggested[1], suggested[0], *suggested[2:]]
        assert rows(driver) == order == agenda_codes(site)
        last, first = driver.find_elements(By.CSS_SELECTOR, "#agenda-rows tr")[3], \
            driver.find_elements(By.CSS_SELECTOR, "#agenda-rows tr")[0]
        page = driver.find_element(By.TAG_NAME, "html")
        driver.execute_script(DRAG, last, first)  # drop the last row on the first: static/agenda.js posts it
        WebDriverWait(driver, 30).until(lambda d: page.id != d.find_element(By.TAG_NAME, "html").id)
        order = [order[3], *order[:3]]
        assert rows(driver) == order == agenda_codes(site)

        driver.get(f"{base}/console/live")
        follow(driver, driver.find_element(By.ID, "present-next"))
        live = driver.current_window_handle
        driver.switch_to.new_window("window")
        projector = driver.current_window_handle
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # type: ignore[attr-defined]
                               {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
        driver.get(f"{base}/console/projector")
        with site.app.sessions() as session:
            shown = session.scalars(select(Question).where(Question.code == order[0])).one()
            district = site.settings.district(shown.district_key)
            assert district is not None
            text = shown.text
        assert driver.find_element(By.ID, "projector-code").text == order[0]
        assert driver.find_element(By.ID, "projector-district").text == district.name
        assert driver.find_element(By.ID, "projector-text").text == text
        body = driver.find_element(By.TAG_NAME, "body").text
        assert body == f"{order[0]} · {district.name}\n{text}"  # nothing else on the screen
        assert int(driver.find_element(By.ID, "projector-text").value_of_css_property("font-size")
                   .removesuffix("px").split(".")[0]) >= 54  # about 4 cm high on a 3 m wide screen
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"console-projector-{kind}.png"))

        driver.switch_to.window(live)
        follow(driver, driver.find_element(By.ID, "present-next"))  # the secretariat moves on
        driver.switch_to.window(projector)
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "projector-code").text == order[1])
        driver.switch_to.window(live)
        follow(driver, driver.find_element(By.ID, "present-previous"))
        assert driver.find_element(By.ID, "live-question").text.startswith(order[0])

        driver.get(f"{base}/console/live?q={codes['4g']}")
        Select(driver.find_element(By.NAME, "speaker")).select_by_visible_text(HOSTS[1])
        driver.find_element(By.NAME, "summary").send_keys(summary)
        follow(driver, driver.find_element(By.ID, "live-record"))
        assert summary in driver.find_element(By.ID, "live-answer").text
        assert "Bà Trần Thị Lan" in driver.find_element(By.ID, "live-answer").text
        screenshot(driver, f"console-live-{kind}")
        site.ask(site.registered_youth("lan", "Khoái Châu"), LATE)  # a late question: suggested, not picked
        driver.get(f"{base}/console/agenda")
        assert [box.get_attribute("value") for box in driver.find_elements(By.NAME, "codes")] == ["HY-0005"]
        screenshot(driver, f"console-agenda-{kind}")  # one on screen, one answered live
    site.flush()  # the outbox, as the sender drains it
    for person in (site.youth("4g"), site.youth("s1")):
        assert summary in person.last().text and "Bà Trần Thị Lan" in person.last().text
    with site.app.sessions() as session:
        row = next(r for r in report_rows(session, site.settings, site.app.processor.campaign_id, site.clock.now())
                   if r.code == codes["4g"])
    assert row.live_speaker == HOSTS[1] and row.live_answer == summary
