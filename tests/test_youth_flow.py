"""A young person's whole conversation, through the test channel, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from core.messages import Attachment, MediaKind
from storage.models import Account, InboxUpdate, Question, QuestionStatus
from tests.harness import Harness

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


def count(harness: Harness, model: type, *where: object) -> int:
    with harness.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_nothing_is_stored_before_consent(harness: Harness) -> None:
    an = harness.youth()
    welcome = an.say("Cho em hỏi về thương mại điện tử")[-1]
    assert "Nghị định 13/2023/NĐ-CP" in welcome.text
    assert "Decree 13/2023" in welcome.text  # both languages before one is chosen
    assert count(harness, Account) == 0
    an.press(welcome, "Không đồng ý")
    assert "chưa lưu gì" in an.last().text
    assert count(harness, Account) == 0
    with harness.app.sessions() as session:
        payloads = session.scalars(select(InboxUpdate.payload)).all()
    assert all(p["text"] == "" and p["user_name"] == "" for p in payloads)


def test_question_gets_code_card_and_receipt(harness: Harness) -> None:
    an = harness.registered_youth()
    suggestion = an.say(QUESTION)[-1]
    assert "Thương mại điện tử" in suggestion.text
    replies = an.press(suggestion, "Đúng")
    card = next(r for r in replies if r.message.chat.chat_id == "dept-so-ct")
    receipt = next(r for r in replies if r.message.chat.chat_id == "user-an")
    assert "HY-0001" in card.text and "Huyện Văn Giang" in card.text and "Shopee" in card.text
    assert "an" not in card.text.split("\n")[1]  # the asker's identity stays hidden
    assert "HY-0001" in receipt.text and "Sở Công Thương" in receipt.text
    assert [b for b in card.buttons] == ["↪️ Chuyển sở khác", "⛔ Không thuộc phạm vi"]
    with harness.app.sessions() as session:
        question = session.scalars(select(Question)).one()
        assert question.status == QuestionStatus.FORWARDED
        assert question.language == "vi" and question.department_key == "so-ct"
        assert [e.kind for e in question.events] == ["received", "forwarded"]


def test_young_person_can_pick_another_category(harness: Harness) -> None:
    an = harness.registered_youth()
    receipt = harness.ask(an, QUESTION, category="Nông nghiệp")
    assert "Sở Nông nghiệp" in receipt.text
    assert harness.messages_to("dept-so-nnptnt")


def test_button_pressed_twice_is_explained_not_repeated(harness: Harness) -> None:
    an = harness.registered_youth()
    suggestion = an.say(QUESTION)[-1]
    an.press(suggestion, "Đúng")
    again = an.press(suggestion, "Đúng")
    assert [m.text for m in again] == ["Nút này đã hết hiệu lực."]
    assert count(harness, Question, Question.code.is_not(None)) == 1


def test_typed_number_picks_from_the_newest_choices(harness: Harness) -> None:
    an = harness.youth()
    an.say("chào")
    an.say("1")  # consent
    assert "đơn vị" in an.last().text
    an.say("4")  # fourth district
    assert "Huyện Văn Giang" in an.last().text


def test_district_can_be_typed_without_diacritics_and_changed(harness: Harness) -> None:
    an = harness.youth()
    an.press(an.say("chào")[-1], "Đồng ý")
    an.say("khoai chau")
    assert "Huyện Khoái Châu" in an.last().text
    an.say("/district")
    an.press(an.last(), "Phù Cừ")
    harness.ask(an, QUESTION)
    assert "Huyện Phù Cừ" in harness.messages_to("dept-so-ct")[-1].text


def test_my_lists_questions_with_status(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("/my")
    assert "chưa gửi câu hỏi nào" in an.last().text
    harness.ask(an, QUESTION)
    an.say("/my")
    assert "HY-0001" in an.last().text and "đang chờ trả lời" in an.last().text


def test_language_switch_and_help(harness: Harness) -> None:
    an = harness.registered_youth()
    an.press(an.say("/lang")[-1], "English")
    assert an.last().text == "Switched to English."
    an.say("/help")
    texts = harness.app.services.texts
    assert "/my" in an.last().text and texts.plain("en", "command_my") in an.last().text
    an.say("/nonsense")
    assert "There is no command /nonsense" in an.last().text


def test_english_question_gets_english_replies_and_the_card_says_so(harness: Harness) -> None:
    texts = harness.app.services.texts
    an = harness.registered_youth()  # a Vietnamese speaker
    suggestion = an.say("How can I sell my family's OCOP products on e-commerce platforms?")[-1]
    assert suggestion.text.startswith("Your question:")
    receipt = an.press(suggestion, texts.plain("en", "confirm_category"))[-1]
    assert receipt.text.startswith("Question <b>HY-0001</b> received.")
    card = harness.messages_to("dept-so-ct")[-1]
    assert texts.render("vi", "card_language", written_in="tiếng Anh") in card.text
    officer = harness.officer("so-ct")
    officer.reply(card, "Bạn có thể đăng ký gian hàng OCOP trên sàn thương mại điện tử của tỉnh.")
    assert an.last().text.startswith("📬 Answer to question <b>HY-0001</b>")
    an.say("/my")
    assert an.last().text.startswith("Câu hỏi của bạn:")  # the person's own language is unchanged
    with harness.app.sessions() as session:
        assert session.scalars(select(Question.language)).one() == "en"


def test_edit_before_forwarding_is_honoured_and_after_is_explained(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("Em bán hàng online có phải nộp thuế không?")
    an.edit(an.sent[-1], QUESTION)
    assert "Đã cập nhật" in an.last().text
    an.press(an.inbox()[-2], "Đúng")
    card = harness.messages_to("dept-so-ct")[-1]
    assert "Shopee" in card.text
    an.edit(an.sent[-1], "Em sửa lại câu hỏi")
    assert "HY-0001 đã được chuyển đi" in an.last().text


def test_too_short_too_long_and_unsupported_content(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("thuế?")
    assert "quá ngắn" in an.last().text
    an.say("a" * 3001)
    assert "3001" in an.last().text and "chưa có gì được gửi đi" in an.last().text
    an.say(attachments=(Attachment(MediaKind.STICKER, "sticker-1"),))
    assert "nhãn dán" in an.last().text
    assert count(harness, Question) == 0


def test_photo_voice_and_document_are_accepted(harness: Harness) -> None:
    an = harness.registered_youth()
    photo = Attachment(MediaKind.PHOTO, "photo-1")
    suggestion = an.say("Ảnh chụp lỗi cổng dịch vụ công", attachments=(photo,))[-1]
    an.say(attachments=(Attachment(MediaKind.DOCUMENT, "doc-1", file_name="loi.pdf"),))
    an.press(an.last(), "Đúng")
    card = [m for m in harness.messages_to("dept-so-tttt")][-1]
    assert "Đính kèm: 2" in card.text
    assert [a.file_ref for a in card.message.attachments] == ["photo-1", "doc-1"]
    assert suggestion.buttons


def test_voice_note_alone_is_a_question(harness: Harness) -> None:
    an = harness.registered_youth()
    suggestion = an.say(attachments=(Attachment(MediaKind.VOICE, "voice-1"),))[-1]
    an.press(an.press(suggestion, "lĩnh vực khác")[-1], "Giáo dục")
    assert harness.messages_to("dept-so-gddt")[-1].message.attachments[0].file_ref == "voice-1"


def test_user_text_cannot_break_formatting(harness: Harness) -> None:
    an = harness.registered_youth()
    harness.ask(an, "Bán hàng <b>online</b> & thuế </i> có sao không ạ?")
    card = harness.messages_to("dept-so-ct")[-1]
    assert "&lt;b&gt;online&lt;/b&gt; &amp; thuế &lt;/i&gt;" in card.text


def test_cancel_draft(harness: Harness) -> None:
    an = harness.registered_youth()
    an.press(an.say(QUESTION)[-1], "Huỷ")
    assert "Đã huỷ" in an.last().text
    assert count(harness, Question) == 0


def test_second_message_while_draft_pending_offers_a_choice(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say(QUESTION)
    an.say("Và câu hỏi thứ hai nữa ạ?")
    assert an.last().buttons == ["Thay bằng tin nhắn mới", "Thêm vào câu hỏi trước"]
    an.say("vâng ạ")  # not a question: the choice still waits
    assert "chờ chọn lĩnh vực" in an.last().text


def test_greeting_is_not_a_question_and_the_question_after_it_is(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("Dạ em chào anh chị ạ")
    assert an.last().text == harness.app.services.texts.render("vi", "ask_question")
    assert count(harness, Question) == 0
    suggestion = an.say(QUESTION)[-1]
    assert "Thương mại điện tử" in suggestion.text
    an.press(suggestion, "Đúng")
    assert "HY-0001" in harness.messages_to("dept-so-ct")[-1].text


def test_few_words_are_not_a_question(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("Thuế online")
    assert an.last().text == harness.app.services.texts.render("vi", "ask_question")
    an.say("Hello, I have a question please")
    assert an.last().text == harness.app.services.texts.render("vi", "ask_question")
    assert count(harness, Question) == 0


def test_new_question_while_a_draft_waits_can_replace_it(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("Em muốn hỏi về học bổng cho sinh viên ngành IT ạ")  # never confirmed
    offer = an.say(QUESTION)[-1]
    assert "học bổng" in offer.text and "Shopee" in offer.text
    suggestion = an.press(offer, "Thay")[-1]
    assert "Thương mại điện tử" in suggestion.text
    an.press(suggestion, "Đúng")
    card = harness.messages_to("dept-so-ct")[-1]
    assert "Shopee" in card.text and "học bổng" not in card.text
    assert count(harness, Question) == 1


def test_new_message_while_a_draft_waits_can_be_added_to_it(harness: Harness) -> None:
    an = harness.registered_youth()
    an.say("Em bán hàng online trên Shopee ạ")
    offer = an.say("Thì em có phải nộp thuế thu nhập không ạ?")[-1]
    an.press(an.press(offer, "Thêm vào")[-1], "Đúng")
    card = harness.messages_to("dept-so-ct")[-1]
    assert "Shopee" in card.text and "nộp thuế" in card.text
    assert count(harness, Question) == 1


def test_confirming_the_earlier_draft_offers_the_new_one_next(harness: Harness) -> None:
    an = harness.registered_youth()
    first = an.say(QUESTION)[-1]
    an.say("Em muốn hỏi về học bổng cho sinh viên ngành IT ạ")
    replies = an.press(first, "Đúng")
    assert "HY-0001" in harness.messages_to("dept-so-ct")[-1].text
    assert "học bổng" in replies[-1].text and replies[-1].buttons  # the second one, waiting for its field
    an.say("/cancel")
    assert count(harness, Question, Question.status == QuestionStatus.DRAFT) == 0


def test_typed_district_matches_whole_words_and_asks_when_two_fit(harness: Harness) -> None:
    an = harness.youth()
    an.press(an.say("chào")[-1], "Đồng ý")
    an.say("an")
    assert "Ân Thi" in an.last().text  # a whole word of "Huyện Ân Thi", not a piece of "Thành phố"
    an.say("/district")
    choice = an.say("Văn")[-1]
    assert choice.buttons == ["Huyện Văn Lâm", "Huyện Văn Giang"]
    an.press(choice, "Văn Giang")
    assert "Huyện Văn Giang" in an.last().text
    an.say("/district")
    an.say("tp hung yen")
    assert "Thành phố Hưng Yên" in an.last().text
    an.say("/district")
    an.say("hu")  # part of a word fits nothing: every unit is offered again
    assert len(an.last().buttons) == len(harness.settings.districts)
