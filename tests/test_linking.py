"""Linking a person's accounts on two platforms with a one-time code."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy import select

from core.messages import ChatKind, Incoming
from storage.models import Account
from tests.harness import Delivered, Harness, RecordingTransport

QUESTION = "Em bán hàng online trên Shopee thì có phải nộp thuế không ạ?"


class ZaloRecording(RecordingTransport):
    platform = "zalo"

    def is_group(self, chat_id: str) -> bool:
        return False


class OnZalo:
    """The same young person, writing from Zalo."""

    def __init__(self, harness: Harness, user_id: str = "z-an") -> None:
        self.harness, self.user_id = harness, user_id
        self.transport = ZaloRecording()
        self.sender = harness.app.sender(self.transport)
        self.count = 0

    def say(self, text: str) -> list[Delivered]:
        self.count += 1
        before = len(self.transport.delivered)
        self.harness.app.processor.record(f"z-{self.user_id}-{self.count}", Incoming(
            platform="zalo", chat_id=self.user_id, chat_kind=ChatKind.PRIVATE, user_id=self.user_id,
            user_name="An", message_id=f"zm{self.count}", text=text))
        self.harness.app.processor.process_all()
        asyncio.run(self.sender.drain())
        self.harness.flush()
        return self.transport.delivered[before:]

    def last(self) -> str:
        return self.transport.delivered[-1].text

    def register(self) -> None:
        self.say("xin chào")
        self.say("1")          # consent, by its number
        self.say("van giang")  # district


def code_in(text: str) -> str:
    found = re.search(r"/link ([A-Z0-9]{8})", text)
    assert found, text
    return found.group(1)


def person_ids(harness: Harness) -> dict[str, int]:
    with harness.app.sessions() as session:
        return {a.key: a.person_id for a in session.scalars(select(Account))}


def test_a_code_links_two_platforms_into_one_person(harness: Harness) -> None:
    an = harness.registered_youth("an")
    harness.ask(an, QUESTION)
    zalo = OnZalo(harness)
    zalo.register()
    assert person_ids(harness)["console:an"] != person_ids(harness)["zalo:z-an"]
    code = code_in(an.say("/link")[-1].text)
    zalo.say(f"/link {code.lower()}")
    assert "Đã nối với tài khoản console" in zalo.last()
    assert "Đã nối với tài khoản Zalo" in an.last().text
    assert person_ids(harness)["console:an"] == person_ids(harness)["zalo:z-an"]
    zalo.say("/my")
    assert "chưa gửi câu hỏi nào" in zalo.last(), "questions stay with the account that asked them"
    harness.admin().say("/ban HY-0001 spam")
    zalo.say(QUESTION)
    assert "tạm khoá" in zalo.last(), "a ban reaches every linked account"


def test_a_code_works_once_on_another_platform_before_it_expires(harness: Harness) -> None:
    an = harness.registered_youth("an")
    code = code_in(an.say("/link")[-1].text)
    assert "chính nền tảng này" in an.say(f"/link {code}")[-1].text
    binh = harness.registered_youth("binh")
    assert "chính nền tảng này" in binh.say(f"/link {code}")[-1].text
    zalo, other = OnZalo(harness, "z-an"), OnZalo(harness, "z-chi")
    zalo.register()
    other.register()
    zalo.say("/link KHONGCO1")
    assert "Không có mã nối tài khoản KHONGCO1" in zalo.last()
    zalo.say(f"/link {code}")
    other.say(f"/link {code}")
    assert "đã hết hạn hoặc đã được dùng" in other.last()
    zalo.say(f"/link {code}")
    assert "đã được nối" in zalo.last()
    late = code_in(binh.say("/link")[-1].text)
    harness.clock.advance(timedelta(minutes=16))
    other.say(f"/link {late}")
    assert "đã hết hạn" in other.last()
    assert person_ids(harness)["zalo:z-chi"] != person_ids(harness)["console:binh"]
