"""Honouring exemplary youth in a real headless Chromium: a unit nominates someone with a photo, an admin
puts nominations on the honours list, reorders it and downloads the programme annex, which lists them in
that order. Screenshots go to tests/artifacts/ (console-nominations-*)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from core.clock import FakeClock
from core.config import Settings
from tests.browser import browser_settings, chromium, follow, screenshot, serving
from tests.harness import Harness
from tests.test_console_browser import sign_in
from tests.test_nominations import nominate


@pytest.fixture
def site(example_settings: Settings, database_url: str, clock: FakeClock) -> Iterator[Harness]:
    harness = Harness(browser_settings(example_settings), database_url, clock)
    yield harness
    harness.dispose()


def a_photo(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    path = folder / "giay-khen.png"
    image = Image.new("RGB", (320, 200), "#fff7d6")
    ImageDraw.Draw(image).rectangle((10, 10, 310, 190), outline="#b8860b", width=6)
    image.save(path)
    return path


def fill(driver: object, name: str, unit: str, achievement: str, photo: Path | None = None) -> None:
    from selenium.webdriver.common.by import By

    follow(driver, driver.find_element(By.ID, "new-nomination"))  # type: ignore[attr-defined]
    for field, value in (("name", name), ("unit", unit), ("achievement", achievement)):
        driver.find_element(By.ID, field).send_keys(value)  # type: ignore[attr-defined]
    if photo is not None:
        driver.find_element(By.ID, "evidence").send_keys(str(photo))  # type: ignore[attr-defined]
    driver.find_element(By.ID, "consent").click()  # type: ignore[attr-defined]
    follow(driver, driver.find_element(By.ID, "submit"))  # type: ignore[attr-defined]


def names_on_the_list(driver: object) -> list[str]:
    from selenium.webdriver.common.by import By

    return [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#shortlist tbody td:nth-child(2) b")]  # type: ignore[attr-defined]


def test_nominate_with_a_file_shortlist_reorder_and_export(site: Harness, database_url: str,
                                                          tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    kind = database_url.partition(":")[0].partition("+")[0]
    nominate(site, site.registered_youth("an"), "Phạm Thu Trang", "Đoàn trường THPT Văn Lâm",
             "Giải nhất cuộc thi Khoa học kỹ thuật cấp tỉnh")  # #1, waiting for Trang's own consent
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with serving(site) as base, chromium(downloads=downloads) as driver:
        sign_in(driver, base, site, "console:admin")
        nav = site.app.services.texts.plain("vi", "console_nav_nominations")
        follow(driver, driver.find_element(By.LINK_TEXT, nav))
        follow(driver, driver.find_element(By.ID, "new-nomination"))
        screenshot(driver, f"console-nominations-form-{kind}")
        driver.back()
        fill(driver, "Nguyễn Thị Hoa", "Huyện đoàn Văn Giang",
             "Khởi nghiệp trồng nấm sạch, tạo việc làm cho 20 thanh niên địa phương", a_photo(tmp_path))
        assert driver.find_element(By.ID, "outcome").text  # "recorded"
        fill(driver, "Đội thanh niên tình nguyện xã Tân Dân", "Huyện đoàn Khoái Châu",
             "Hơn 300 giờ tình nguyện hỗ trợ người dân bị ảnh hưởng bởi lũ")
        assert driver.find_elements(By.CSS_SELECTOR, "#n1.pending") and not driver.find_elements(By.ID, "shortlist-1")
        assert driver.find_element(By.LINK_TEXT, "giay-khen.png").get_attribute("href").endswith(
            "/console/nominations/2/evidence/1")

        follow(driver, driver.find_element(By.ID, "shortlist-2"))
        follow(driver, driver.find_element(By.ID, "shortlist-3"))
        assert names_on_the_list(driver) == ["Nguyễn Thị Hoa", "Đội thanh niên tình nguyện xã Tân Dân"]
        follow(driver, driver.find_element(By.ID, "up-3"))
        assert names_on_the_list(driver) == ["Đội thanh niên tình nguyện xã Tân Dân", "Nguyễn Thị Hoa"]
        screenshot(driver, f"console-nominations-{kind}")

        driver.find_element(By.ID, "export").click()
        WebDriverWait(driver, 30).until(lambda _: list(downloads.glob("*.docx")))
        (annex,) = downloads.glob("*.docx")
    honoured = Document(str(annex)).tables[-1]
    assert [row.cells[1].text for row in honoured.rows[1:]] == ["Đội thanh niên tình nguyện xã Tân Dân",
                                                               "Nguyễn Thị Hoa"]
    assert honoured.rows[2].cells[4].text == "1 tệp"
    (Path(__file__).parent / "artifacts" / f"console-nominations-annex-{kind}.docx").write_bytes(annex.read_bytes())
