"""Zalo Bot webhook posts arriving together are committed together, in their order (issue 18: one commit per
burst, as Telegram's webhook does through BurstRecorder)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import event, select
from starlette.applications import Starlette

from bot.channels.zalo_bot.adapter import ZaloBotClient, ZaloBotReceiver
from bot.channels.zalo_bot.webhook import BOT_SECRET_HEADER, bot_route
from storage.models import InboxUpdate
from tests.harness import Harness

SECRET = "zalo-webhook-secret"


def _update(n: int) -> dict[str, object]:
    user = {"id": f"zalo-user-{n % 2}", "display_name": "Mai", "is_bot": False}
    return {"event_name": "message.text.received",
            "message": {"from": user, "chat": {"id": user["id"], "chat_type": "PRIVATE"},
                        "message_id": f"m{n}", "date": 1_700_000_000_000 + n, "text": f"câu {n}"}}


def test_a_burst_of_webhook_posts_lands_in_one_commit_in_order(harness: Harness) -> None:
    app = harness.app
    commits = [0]
    event.listen(app.sessions, "after_commit", lambda _session: commits.__setitem__(0, commits[0] + 1))

    async def burst() -> list[int]:
        async with httpx.AsyncClient() as http:
            receiver = ZaloBotReceiver(ZaloBotClient("token", "http://127.0.0.1:9", http), app.processor)
            endpoint = Starlette(routes=[bot_route(receiver, SECRET, lambda: None, "/zalo")])
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=endpoint), base_url="http://bot") as client:
                answers = await asyncio.gather(*(client.post("/zalo", json=_update(n), headers={BOT_SECRET_HEADER: SECRET})
                                                 for n in range(6)))
        return [answer.status_code for answer in answers]

    assert asyncio.run(burst()) == [200] * 6
    with app.sessions() as session:
        keys = session.scalars(select(InboxUpdate.update_key).order_by(InboxUpdate.id)).all()
    assert keys == [f"msg:m{n}" for n in range(6)]
    assert commits[0] <= 2, "the first post alone at most, the others together"
