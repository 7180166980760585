"""Last year's promises in a real headless Chromium: the admin marks an answer as a commitment on its
question's page; next year's campaign starts; the responsible department finds it in the console's list
and updates its status; the new campaign's report and the event's programme show it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from docx import Document

from core.clock import FakeClock
from core.config import Settings
from reports.build import ReportScope
from reports.programme import write_programme
from tests.browser import ARTIFACTS, chromium, follow, require_browser, screenshot, serving
from tests.harness import Harness
from tests.test_commitments import report_text
from tests.test_console_browser import sign_in
from tests.test_console_security import console_staff
from tests.test_migrate_lock import free_port

SHOPEE = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"
ANSWER = "Có, em cần đăng ký hộ kinh doanh và kê khai thuế; Sở sẽ mở lớp hướng dẫn."
PROMISE = "Tổ chức 3 lớp tập huấn kê khai thuế cho thanh niên bán hàng trực tuyến."
SCHOOL = "Trường em có được tổ chức dạy kỹ năng số cho học sinh không ạ?"
LIVE_PROMISE = "Trang bị phòng máy tính cho 10 trường THCS."
PROGRESS = "Đã mở đủ 3 lớp tại Văn Giang, Văn Lâm và TP Hưng Yên."
DAY = 86400


def served(settings: Settings, database_url: str, clock: FakeClock) -> Harness:
    return Harness(replace(settings, web=replace(settings.web, listen_port=free_port())), database_url, clock)


def programme_text(harness: Harness, out: Path) -> str:
    with harness.app.sessions() as session:
        scope = ReportScope(harness.settings, harness.app.services.texts, harness.app.campaign(session),
                            harness.clock.now())
        write_programme(session, scope, out)
    document = Document(str(out))
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])


def test_a_commitment_marked_this_year_is_followed_up_next_year(
        example_settings: Settings, database_url: str, clock: FakeClock) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    require_browser()
    kind = database_url.partition(":")[0].partition("+")[0]
    settings = console_staff(example_settings)
    first = served(settings, database_url, clock)
    first.ask(first.registered_youth("an"), SHOPEE)
    officer = first.officer("so-ct")  # its listed officer, console:officer-so-ct
    officer.reply(officer.inbox()[0], ANSWER)
    try:
        with serving(first) as base, chromium() as driver:
            sign_in(driver, base, first, "console:admin")
            driver.get(f"{base}/console/q/HY-0001")
            form = driver.find_element(By.ID, "action-commit")
            form.find_element(By.NAME, "what").send_keys(PROMISE)
            Select(form.find_element(By.NAME, "department")).select_by_value("so-ct")
            due = form.find_element(By.NAME, "due")
            driver.execute_script("arguments[0].value = '2023-06-30'", due)  # a date input's value, in any locale
            screenshot(driver, f"console-commit-form-{kind}")
            follow(driver, form.find_element(By.TAG_NAME, "button"))
            assert driver.find_element(By.ID, "outcome").get_attribute("class") == "notice"
            driver.get(f"{base}/console/q/HY-0001")  # the page as anyone opens it later
            listed = driver.find_element(By.ID, "commitments")
            cells = [c.text for c in listed.find_elements(By.CSS_SELECTOR, "tbody td")]
            assert cells == [PROMISE, settings.department("so-ct").name, "30/06/2023",
                             first.app.services.texts.plain("vi", "commitment_status_pending")]
            driver.execute_script("arguments[0].scrollIntoView()", listed)
            screenshot(driver, f"console-commit-marked-{kind}")
        first.ask(first.registered_youth("binh"), SCHOOL)  # and a leader's promise at the dialogue, from the chat
        admin = first.admin()
        admin.say("/live HY-0002 Sở sẽ trang bị phòng máy tính cho 10 trường THCS trong năm học tới.")
        admin.say(f"/commit HY-0002 31/05/2024 so-gddt {LIVE_PROMISE}")  # due after the next dialogue
    finally:
        first.dispose()

    next_year = replace(settings.campaign, key="hung-yen-2024", name="Đối thoại 2024")
    second = served(replace(settings, campaign=next_year), database_url, clock)
    try:
        clock.advance(200 * DAY)  # the new campaign, past the date: overdue until done
        with serving(second) as base, chromium(1280, 800) as driver:
            sign_in(driver, base, second, "console:officer-so-ct")
            follow(driver, driver.find_element(By.LINK_TEXT, second.app.services.texts.plain(
                "vi", "console_nav_commitments")))
            row = driver.find_element(By.ID, "commitment-1")
            assert PROMISE in row.text and settings.campaign.name in row.text
            assert row.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "overdue"
            Select(row.find_element(By.NAME, "status")).select_by_value("done")
            row.find_element(By.NAME, "note").send_keys(PROGRESS)
            follow(driver, row.find_element(By.TAG_NAME, "button"))
            assert driver.find_element(By.ID, "outcome").get_attribute("class") == "notice"
            row = driver.find_element(By.ID, "commitment-1")
            assert row.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "done"
            assert PROGRESS in row.text
            assert not driver.find_elements(By.ID, "commitment-2")  # Sở GD&ĐT's: not this department's
            screenshot(driver, f"console-commitments-officer-{kind}")
        with serving(second) as base, chromium(1280, 800) as driver:
            sign_in(driver, base, second, "console:admin")
            driver.get(f"{base}/console/commitments")
            assert driver.find_element(By.ID, "commitment-2").find_element(By.NAME, "status")  # admins: any
            screenshot(driver, f"console-commitments-{kind}")
        word = report_text(second, ARTIFACTS / f"commitments-report-{kind}.docx")  # kept, to be looked at
        assert "IV. KẾT QUẢ THỰC HIỆN CAM KẾT" in word and PROMISE in word and PROGRESS in word
        annex = programme_text(second, ARTIFACTS / f"commitments-programme-{kind}.docx")
        assert second.app.services.texts.plain("vi", "programme_section_commitments") in annex
        assert PROMISE in annex and PROGRESS in annex and LIVE_PROMISE in annex
    finally:
        second.dispose()
