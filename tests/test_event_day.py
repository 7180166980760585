"""The event day: a balanced suggestion, the ordered list, its export, and answers recorded live."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from bot.cli import main as cli
from handlers.event_day import Candidate, balanced_selection
from storage.models import Answer, Question, QuestionStatus
from tests.conftest import EXAMPLE_CONFIG
from tests.harness import Harness, Participant

QUESTIONS = {  # text, district (as on its button), category (as on its button)
    "shopee": ("Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?", "Văn Giang", None),
    "4g": ("Sóng 4G ở xã em rất yếu, tỉnh có kế hoạch phủ sóng không?", "Văn Giang", None),
    "drone": ("Có lớp tập huấn dùng drone phun thuốc cho nông dân trẻ không ạ?", "Khoái Châu", None),
    "scholarship": ("Em là sinh viên năm 2, muốn học lập trình thì có học bổng nào của tỉnh hỗ trợ không?",
                    "Văn Lâm", None),
}


def ask_all(harness: Harness) -> dict[str, str]:
    """Each question from a different young person; their codes by name."""
    codes = {}
    for name, (text, district, category) in QUESTIONS.items():
        person = harness.registered_youth(name, district)
        receipt = harness.ask(person, text, category)
        codes[name] = receipt.text.split("<b>")[1].split("</b>")[0]
    return codes


def support(harness: Harness, code: str, *names: str) -> None:
    """Young people who back `code` with a 👍 instead of asking again."""
    text = next(t for t, *_ in QUESTIONS.values() if t == stored(harness, code).text)
    for name in names:
        person = harness.registered_youth(name)
        person.press(person.say(text)[-1], f"Ủng hộ {code}")


def stored(harness: Harness, code: str) -> Question:
    with harness.app.sessions() as session:
        question = session.scalars(select(Question).where(Question.code == code)).one()
        _ = question.answers
        return question


def agenda_codes(harness: Harness) -> list[str]:
    with harness.app.sessions() as session:
        return list(session.scalars(select(Question.code).where(Question.event_rank.is_not(None))
                                    .order_by(Question.event_rank)))


def test_balanced_selection_weighs_support_against_repeats() -> None:
    candidates = [Candidate(1, "vg", "ecommerce", 9), Candidate(2, "vg", "ecommerce", 8),
                  Candidate(3, "kc", "agriculture", 3), Candidate(4, "vg", "education", 6),
                  Candidate(5, "vl", "ecommerce", 0)]
    chosen = [c.id for c in balanced_selection(candidates, 3)]
    assert chosen == [1, 3, 4]  # then 4 (7/2: a new category) before 2 (9/3: district and category repeated)
    assert [c.id for c in balanced_selection(candidates, 10)] == [1, 3, 4, 2, 5]
    assert balanced_selection([], 5) == []
    flat = [Candidate(i, f"d{i % 3}", "c", 0) for i in range(1, 7)]
    assert [c.id for c in balanced_selection(flat, 3)] == [1, 2, 3]  # no support yet: districts in turn


def test_suggest_pick_reorder_and_unpick(harness: Harness) -> None:
    codes = ask_all(harness)
    support(harness, codes["4g"], "s1", "s2")
    admin = harness.admin()
    admin.say("/suggest 2")
    suggestion = admin.last().text
    assert "Gợi ý 2 câu hỏi" in suggestion and f"/pick {codes['4g']} {codes['drone']}" in suggestion
    assert "👍 2" in suggestion
    admin.say("/suggest nong nghiep")  # a category by name, typed without diacritics
    assert codes["drone"] in admin.last().text and codes["shopee"] not in admin.last().text
    admin.say("/suggest Khoái Châu")
    assert codes["drone"] in admin.last().text and codes["4g"] not in admin.last().text
    admin.say("/suggest sao hoa")
    assert "Không có lĩnh vực hay đơn vị nào tên" in admin.last().text
    admin.say(f"/pick {codes['4g']} {codes['drone']} {codes['shopee']}")
    assert agenda_codes(harness) == [codes["4g"], codes["drone"], codes["shopee"]]
    assert "Danh sách câu hỏi cho buổi đối thoại (3)" in admin.last().text
    admin.say(f"/pick {codes['drone']}")
    assert "đã ở vị trí 2" in admin.last().text  # said above the list, in one message
    admin.say(f"/move {codes['shopee']} 1")
    assert agenda_codes(harness) == [codes["shopee"], codes["4g"], codes["drone"]]
    agenda = admin.last().text
    assert agenda.index(f"1. <b>{codes['shopee']}") < agenda.index(f"2. <b>{codes['4g']}")
    admin.say(f"/move {codes['shopee']} 9")
    assert "từ 1 đến 3" in admin.last().text
    admin.say(f"/unpick {codes['4g']}")
    assert agenda_codes(harness) == [codes["shopee"], codes["drone"]]
    assert stored(harness, codes["drone"]).event_rank == 2
    admin.say(f"/unpick {codes['4g']}")
    assert "không có trong danh sách" in admin.last().text
    admin.say("/suggest")
    assert codes["shopee"] not in admin.last().text  # picked ones are not suggested again
    admin.say(f"/decline {codes['drone']} Đã trả lời ở buổi trước")
    assert agenda_codes(harness) == [codes["shopee"]]
    admin.say(f"/pick {codes['drone']}")
    assert "đã đóng" in admin.last().text  # said above the list, in one message


def test_empty_agenda_and_usage(harness: Harness) -> None:
    admin = harness.admin()
    admin.say("/agenda")
    assert "Chưa chọn câu hỏi nào" in admin.last().text
    admin.say("/suggest")
    assert "Không còn câu hỏi nào" in admin.last().text
    for command in ("/pick", "/unpick", "/move HY-0001", "/live HY-0001"):
        admin.say(command)
        assert "Cách dùng" in admin.last().text, command
    admin.say("/live HY-0404 tóm tắt")
    assert "Không có câu hỏi HY-0404" in admin.last().text


def test_live_answer_reaches_asker_and_supporters_and_is_stored(harness: Harness) -> None:
    codes = ask_all(harness)
    code = codes["4g"]
    support(harness, code, "s1")
    admin = harness.admin()
    admin.say(f"/pick {code}")
    admin.say(f"/live {code} Chủ tịch UBND tỉnh: năm 2023 phủ sóng 4G 100% các xã.")
    assert "gửi tới 2 người" in admin.last().text
    asker = Participant(harness, "4g", "user-4g", harness.youth("4g").kind)
    for person in (asker, harness.youth("s1")):
        assert "Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh đã trả lời câu hỏi" in person.last().text
        assert "100% các xã" in person.last().text
    question = stored(harness, code)
    assert question.status == QuestionStatus.ANSWERED and question.answered_at is not None
    [answer] = question.answers
    assert answer.source == "live" and answer.officer == "console:admin"  # who typed it
    assert answer.speaker == "Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh"  # who answered: the only host
    admin.say("/agenda")
    assert "đã trả lời trực tiếp" in admin.last().text
    admin.say(f"/live {code} Chủ tịch UBND tỉnh: đến hết năm 2024 phủ sóng 4G 100% các xã.")
    assert "Đính chính" in asker.last().text and "2024" in asker.last().text
    with harness.app.sessions() as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.text.endswith("2024 phủ sóng 4G 100% các xã.")
        assert [r.text for r in answer.revisions] == ["Chủ tịch UBND tỉnh: năm 2023 phủ sóng 4G 100% các xã."]
    harness.officer("so-ct").reply(harness.messages_to("dept-so-ct")[0], "Sở trả lời sau buổi đối thoại.")
    assert stored(harness, codes["shopee"]).answers[0].source == "department"


def test_agenda_exports_as_csv_from_the_command_line(harness: Harness, database_url: str, tmp_path: Path) -> None:
    codes = ask_all(harness)
    admin = harness.admin()
    admin.say("/clarify {} Người bán hàng qua Shopee có phải nộp thuế không?".format(codes["shopee"]))
    admin.say(f"/pick {codes['drone']} {codes['shopee']}")
    admin.say(f"/live {codes['drone']} Sở Nông nghiệp mở 5 lớp tập huấn drone trong năm.")
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///youthbot.sqlite3"', f'url = "{database_url}"'), encoding="utf-8")
    out = tmp_path / "agenda.csv"
    assert cli(["--config", str(config), "agenda", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["Thứ tự"], r["Mã"]) for r in rows] == [("1", codes["drone"]), ("2", codes["shopee"])]
    assert rows[0]["Đơn vị"] == "Huyện Khoái Châu"
    assert rows[0]["Trả lời tại buổi đối thoại"].startswith("Sở Nông nghiệp mở 5")
    assert rows[0]["Lãnh đạo trả lời"] == "Ông Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh"
    assert rows[1]["Câu hỏi"] == "Người bán hàng qua Shopee có phải nộp thuế không?"
    assert rows[1]["Câu hỏi gốc"] == QUESTIONS["shopee"][0] and rows[1]["Trạng thái"] == "đang chờ trả lời"
