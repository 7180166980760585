"""Understanding by meaning (docs/understanding.md): lexicon, duplicates, learning, explanations, the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.classify_accuracy import score
from bench.splits import pairs, questions
from bot.channels.console import COORDINATOR_CHAT
from bot.cli import main
from core.config import Settings
from core.understanding.model import Understanding
from core.understanding.terms import EVALUATIVE_TERMS
from storage.learning import base_model
from storage.models import LearnedExample, Question
from tests.harness import Harness

THRESHOLD = 0.7  # CurationSettings.duplicate_threshold


@pytest.fixture(scope="module")
def model(example_settings: Settings) -> Understanding:
    return base_model(example_settings)


def similarity(model: Understanding, a: str, b: str) -> float:
    return model.score(model.signature(a), model.signature(b))[0]


def suggested(harness: Harness, name: str, text: str) -> str:
    """The category the bot suggests to a new young person asking `text` (the draft's state)."""
    harness.registered_youth(name).say(text)
    with harness.app.sessions() as session:
        return session.scalars(select(Question.suggested_category_key).order_by(Question.id.desc())).first()


# --- the model --------------------------------------------------------------------------

def test_abbreviations_synonyms_and_english_name_the_same_term(model: Understanding) -> None:
    assert model.signature("sàn TMĐT") == model.signature("sàn thương mại điện tử") == model.signature("e-commerce")
    assert model.signature("nộp hồ sơ qua mạng") == model.signature("nop ho so online")
    assert similarity(model, "Cổng DVC có cho thanh toán lệ phí bằng ví điện tử không?",
                      "Lệ phí trên cổng dịch vụ công có trả bằng Momo được không ạ?") >= THRESHOLD


def test_an_english_question_and_its_vietnamese_twin_are_likely_duplicates(model: Understanding) -> None:
    """Where the lexicon names every content word in both languages; docs/understanding.md says where not."""
    assert similarity(model, "Do I have to pay tax when I sell online?",
                      "Bán hàng online có phải nộp thuế không ạ?") >= THRESHOLD
    assert similarity(model, "Is there a startup fund for students?",
                      "Có quỹ khởi nghiệp cho sinh viên không?") >= THRESHOLD
    for english, vietnamese in [
            ("Is there a free coding class for pupils?", "Có lớp học lập trình miễn phí cho học sinh không?"),
            ("How do I get a loan to start a business?", "Làm sao để vay vốn khởi nghiệp ạ?"),
            ("Do I need a business licence to sell honey online?",
             "Bán mật ong online có cần giấy phép kinh doanh không?"),
            ("Is it safe to pay the electricity bill online?", "Thanh toán tiền điện qua mạng có an toàn không?"),
            ("What support do young people get after finishing military service?",
             "Thanh niên đi nghĩa vụ quân sự về được hỗ trợ việc làm như thế nào?"),
            ("Can I get a digital signature for my online shop?", "Làm sao để có chữ ký số cho shop online?")]:
        assert similarity(model, english, vietnamese) >= THRESHOLD, english


def test_a_near_miss_scores_below_the_paraphrase_and_the_threshold(model: Understanding) -> None:
    question = "Đăng ký bảo hộ nhãn hiệu mất bao lâu?"
    paraphrase = "Làm thủ tục đăng ký bảo hộ thương hiệu thì bao lâu mới xong ạ?"
    near_miss = "Đăng ký bảo hộ sáng chế mất bao lâu?"
    assert similarity(model, question, near_miss) < THRESHOLD <= similarity(model, question, paraphrase)


def test_evaluative_words_frame_a_question_rather_than_say_what_it_asks(model: Understanding) -> None:
    """Two wordings of one question put how good the thing should be differently; two questions about different
    things may put it alike."""
    assert set(EVALUATIVE_TERMS) <= set(model.lexicon.shown)  # each one a lexicon group: one term
    question = "Trạm y tế xã bao giờ có trang thiết bị hiện đại?"
    assert similarity(model, question, "Khi nào trạm y tế xã được nâng cấp thiết bị?") >= THRESHOLD
    assert similarity(model, question, "Trường học của xã bao giờ có trang thiết bị hiện đại?") < THRESHOLD


def test_signatures_stored_by_the_previous_method_still_compare(model: Understanding) -> None:
    old = "ban hang online tren shopee phai nop thue"  # core.similarity.signature of a question asked before
    assert model.score(old, model.signature("Bán hàng trực tuyến trên Shopee có phải nộp thuế không?"))[0] >= 0.9


def test_figures_on_the_unseen_split_hold(model: Understanding) -> None:
    """Recorded in docs/understanding.md; a change that lowers them must say so there."""
    rows = questions("unseen")
    result = score(rows, lambda _i, text: [s.key for s in model.suggest(text)])
    assert result.top1 >= 74 and result.top2 >= 81  # of 82 (76 before round 3 step 3: see the doc)
    called = [p for p in pairs("unseen") if similarity(model, p["a"], p["b"]) >= THRESHOLD]
    assert all(p["duplicate"] for p in called) and len(called) >= 8  # of 13 paraphrases; no near-miss called


def test_a_word_is_read_by_its_diacritics_or_capitals_where_written(model: Understanding) -> None:
    """Folded, "bán" (sell) is "bạn" (you), "lừa" (scam) "lúa" (rice), "AI" "ai" (who)."""
    assert "ban_hang" in model.terms("Bán nhãn lồng có phải nộp thuế không?")
    assert "ban_hang" not in model.terms("Bạn ơi, nhãn lồng có phải nộp thuế không?")
    assert model.terms("Em bị lừa khi mua giống lúa") != model.terms("Em bị lúa khi mua giống lừa")
    assert "tri_tue_nhan_tao" in model.terms("Ứng dụng AI vào sản xuất")
    assert "tri_tue_nhan_tao" not in model.terms("Ai phụ trách ạ?")
    assert "quy" not in model.terms("Quy định về đăng ký kinh doanh")  # "quy định", not "quỹ"
    assert "yeu_cau" not in model.terms("Thuế đối với người bán hàng qua mạng")  # "đối với", not "đòi"
    assert "truong_hoc" not in model.terms("Kết quả đối thoại về môi trường")  # "môi trường", not a school
    assert "ho" not in model.terms("Người khác dùng video của em, em có thể đòi họ gỡ không?")  # "họ", not "hộ"
    assert "tuoi_tieu" not in model.terms("Thanh niên bao nhiêu tuổi được ứng cử?")  # age, not irrigation
    assert "xu_phat" not in model.terms("Thông báo qua loa phát thanh")  # "phát" (broadcast), not "phạt"


def test_a_question_typed_without_diacritics_meets_its_twin_with_them(model: Understanding) -> None:
    """"lắp" (install) and "sàn" (marketplace) are read by their diacritics; typed without, "lap" and "san"."""
    assert similarity(model, "Muốn lắp camera ở cổng nhà thì xin phép ở đâu?",
                      "muon lap camera o cong nha thi xin phep o dau") >= 0.9
    assert similarity(model, "Bán đồ ăn trên sàn có phải đóng thuế không?",
                      "ban do an tren san co phai dong thue khong") >= THRESHOLD


def test_a_tag_or_a_code_added_to_the_same_question_keeps_it_a_duplicate(model: Understanding) -> None:
    question = "Tỉnh có lớp đào tạo kỹ năng số miễn phí cho thanh niên nông thôn không?"
    assert similarity(model, question, f"{question} (y07)") >= 0.9
    assert similarity(model, question, f"Ở Khoái Châu, {question}") >= THRESHOLD  # a place adds context


def test_a_verb_that_reverses_the_question_makes_it_another_question(model: Understanding) -> None:
    register = "Đăng ký gian hàng hội chợ OCOP trực tuyến ở đâu?"
    assert similarity(model, register, "Hủy đăng ký gian hàng hội chợ OCOP trực tuyến ở đâu?") < THRESHOLD
    assert similarity(model, register, "Muốn đăng ký gian hàng ở hội chợ OCOP online thì vào đâu?") >= THRESHOLD


# --- learning during the campaign -------------------------------------------------------

POOL_QUESTIONS = [
    "Hè này xã em có mở hồ bơi cho trẻ em tập bơi không ạ?",
    "Huyện mình có hồ bơi nào dạy bơi miễn phí cho thiếu nhi dịp hè không?",
    "Bao giờ thôn em có hồ bơi để bọn trẻ học bơi, tránh đuối nước?",
]
NEW_POOL_QUESTION = "Ở Ân Thi có hồ bơi nào dạy trẻ con tập bơi trong hè không ạ?"


def test_after_a_few_corrections_that_kind_of_question_is_routed_right(harness: Harness) -> None:
    assert suggested(harness, "first", NEW_POOL_QUESTION) != "education"
    for index, text in enumerate(POOL_QUESTIONS):
        harness.ask(harness.registered_youth(f"asker{index}"), text, category="Giáo dục")
    assert suggested(harness, "later", NEW_POOL_QUESTION) == "education"  # without a restart
    admin = harness.admin()
    admin.say("/learned")
    assert "3 ví dụ" in admin.last().text and "HY-0003" in admin.last().text
    admin.say("/learned reset")
    assert "3" in admin.last().text
    with harness.app.sessions() as session:
        assert session.scalar(select(func.count(LearnedExample.id))) == 0
    assert suggested(harness, "after-reset", NEW_POOL_QUESTION) != "education"


def test_a_reassignment_by_a_department_is_learned(harness: Harness) -> None:
    for index, text in enumerate(POOL_QUESTIONS):
        harness.ask(harness.registered_youth(f"asker{index}"), text)  # the suggested category, confirmed
    with harness.app.sessions() as session:
        routed = session.execute(select(Question.code, Question.department_key).order_by(Question.id)).all()
    assert all(department != "so-gddt" for _, department in routed)
    for code, department in routed:
        harness.officer(department).say(f"/reassign {code} so-gddt")
    with harness.app.sessions() as session:
        sources = session.scalars(select(LearnedExample.source)).all()
    assert sources.count("reassigned") == 3
    assert suggested(harness, "later", NEW_POOL_QUESTION) == "education"


def test_a_merge_teaches_the_wording_and_the_review_card_says_why(harness: Harness) -> None:
    an, binh, chi = (harness.registered_youth(n) for n in ("an", "binh", "chi"))
    harness.ask(an, "Khi nào sóng 4G ở xã em được sửa?")
    harness.ask(binh, "Bao giờ thì sóng 4G ở xã em mới được khắc phục, gọi điện toàn mất sóng?")
    assert harness.messages_to(COORDINATOR_CHAT) == []  # too different for the model alone
    harness.admin().say("/merge HY-0002 HY-0001")
    harness.ask(chi, "Sóng 4G ở xã em bao giờ mới được khắc phục, gọi điện mất sóng suốt ạ")  # like HY-0002
    card = harness.messages_to(COORDINATOR_CHAT)[-1]
    assert "HY-0003" in card.text and "HY-0001" in card.text and "Gộp vào HY-0001" in card.buttons[-1]
    assert "chung:" in card.text and "4g" in card.text.lower()  # the shared terms, as people wrote them
    reason = next(line for line in card.text.splitlines() if "💡" in line)  # the nearest labelled questions
    assert "bao giờ mới được khắc phục, gọi điện mất sóng suốt" not in reason  # not the question itself


def test_a_merge_teaches_what_the_two_wordings_had_each_alone(harness: Harness) -> None:
    """"sửa" and "khắc phục" look like two different asks until the Youth Union merges such questions."""
    an, binh, chi, dung = (harness.registered_youth(n) for n in ("an", "binh", "chi", "dung"))
    harness.ask(an, "Khi nào Internet cáp quang ở thôn em được sửa?")
    harness.ask(binh, "Bao giờ Internet cáp quang ở thôn em được khắc phục?")
    assert harness.messages_to(COORDINATOR_CHAT) == []
    harness.admin().say("/merge HY-0002 HY-0001")
    harness.ask(chi, "Khi nào sóng 4G ở xã em được sửa?")
    harness.ask(dung, "Bao giờ sóng 4G ở xã em được khắc phục?")  # another topic, the same two wordings
    card = harness.messages_to(COORDINATOR_CHAT)[-1]
    assert "HY-0004" in card.text and "HY-0003" in card.text and "Gộp vào HY-0003" in card.buttons[-1]


# --- command line ------------------------------------------------------------------------

def test_duplicates_command_scores_each_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "pairs.jsonl"
    file.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in [
        {"a": "Bán hàng online có phải nộp thuế không?", "b": "Kinh doanh qua mạng có phải đóng thuế không ạ?",
         "label": True},
        {"a": "Đăng ký bảo hộ nhãn hiệu mất bao lâu?", "b": "Đăng ký bảo hộ sáng chế mất bao lâu?"},
    ]) + "\n", encoding="utf-8")
    assert main(["duplicates", "--pairs", str(file)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["duplicate"] for r in rows] == [True, False]
    assert rows[0]["label"] is True and 0 <= rows[1]["score"] < rows[0]["score"] <= 1 and "thue" in rows[0]["shared"]


def test_duplicates_command_reads_stdin_and_refuses_bad_lines(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"a": "x"}\n'))
    assert main(["duplicates"]) == 2
    assert "line 1" in capsys.readouterr().err


def test_classify_keeps_its_output_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"text", "language", "category", "categories"} and record["category"] == "ecommerce"
    assert sum(c["score"] for c in record["categories"]) == pytest.approx(1, abs=0.01)
