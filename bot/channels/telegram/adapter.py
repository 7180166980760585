"""The Telegram channel, with python-telegram-bot: Updates become `Incoming`, `Outgoing` become sends.

Only this module (and the webhook app) imports the SDK. It does not use PTB's Application
or Updater: those confirm an update to Telegram before it is handled, and this product
confirms only after the update is committed to the inbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.request import HTTPXRequest

from bot.polling import poll_forever
from bot.processing import BurstRecorder, InboxProcessor
from bot.transport import PermanentFailure, RateLimits, RetryAfter, TemporaryFailure
from core.messages import Action, Attachment, Button, ChatKind, Incoming, MediaKind, Outgoing
from core.texts import plain_text
from handlers.commands import CommandMenu

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
SEND_CONNECTIONS = 16
log = logging.getLogger(__name__)


def make_bot(token: str, base_url: str) -> telegram.Bot:
    """A Bot whose connection pool lets sends to different chats run side by side.

    PTB's default pool holds one connection: concurrent sends would queue behind each other
    and leave in bursts, which Telegram answers with 429.
    """
    return telegram.Bot(token, base_url=base_url, request=HTTPXRequest(connection_pool_size=SEND_CONNECTIONS))


# --- in ------------------------------------------------------------------------------

def incoming_from_update(update: Update) -> Incoming | None:
    """The plain form of an update, or None for kinds the product does not handle."""
    query = update.callback_query
    if query is not None:
        if query.message is None or not query.data:
            return None
        return _incoming(query.message.chat, query.from_user, query.message.message_id, button_data=query.data)
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    return _incoming(
        message.chat, message.from_user, message.message_id,
        text=message.text or message.caption or "",
        html=_formatted(message),
        attachments=_attachments(message),
        reply_to_message_id=_replied_message_id(message),
        edited=update.edited_message is not None,
        thread_id=str(message.message_thread_id) if message.is_topic_message else "",
    )


def _incoming(chat: telegram.Chat, user: telegram.User, message_id: int, **fields: Any) -> Incoming:
    kind = ChatKind.PRIVATE if chat.type == "private" else ChatKind.GROUP
    return Incoming.received(platform=PLATFORM, chat_id=str(chat.id), chat_kind=kind, user_id=str(user.id),
                             user_name=user.full_name, message_id=str(message_id),
                             language_code=user.language_code or "", **fields)


def _formatted(message: telegram.Message) -> str:
    """The text as HTML when the sender formatted it (admins composing a broadcast do)."""
    if message.entities:
        return message.text_html
    if message.caption_entities:
        return message.caption_html
    return ""


def _replied_message_id(message: telegram.Message) -> str:
    """The message replied to. In a forum topic every message answers the topic's first one: for
    a topic the bot opened for a question, that is the question's; in others it finds nothing."""
    replied = message.reply_to_message
    return "" if replied is None else str(replied.message_id)


def _attachments(message: telegram.Message) -> tuple[Attachment, ...]:
    if message.photo:
        largest = message.photo[-1]
        return (Attachment(MediaKind.PHOTO, largest.file_id, size=largest.file_size or 0),)
    for kind, media in ((MediaKind.DOCUMENT, message.document), (MediaKind.VOICE, message.voice),
                        (MediaKind.VIDEO, message.video), (MediaKind.VOICE, message.audio)):
        if media is not None:
            return (Attachment(kind, media.file_id, getattr(media, "file_name", "") or "",
                               media.mime_type or "", media.file_size or 0),)
    if message.sticker is not None:
        return (Attachment(MediaKind.STICKER, message.sticker.file_id),)
    if message.text is None and message.caption is None:
        return (Attachment(MediaKind.UNSUPPORTED, ""),)  # location, contact, poll, ...
    return ()


class TelegramReceiver:
    """Records updates in the inbox; only then are they confirmed to Telegram."""

    def __init__(self, bot: telegram.Bot, processor: InboxProcessor) -> None:
        self._bot = bot
        self._processor = processor
        self.burst = BurstRecorder(processor)  # the webhook's posts arriving together: one commit
        self.offset: int | None = None

    def record(self, update: Update) -> None:
        if (incoming := incoming_from_update(update)) is not None:
            self._processor.record(str(update.update_id), incoming)

    async def poll_forever(self, on_recorded: Callable[[], None]) -> None:
        await poll_forever(self.poll_once, on_recorded, (NetworkError,), "Telegram")

    async def poll_once(self, timeout: int = 30) -> int:
        """One long poll; the offset moves past the page only after all of it is committed, in one
        transaction and in a thread, so that the sender goes on meanwhile."""
        updates = await self._bot.get_updates(offset=self.offset, timeout=timeout,
                                              allowed_updates=ALLOWED_UPDATES)
        page = [(str(update.update_id), incoming) for update in updates
                if (incoming := incoming_from_update(update)) is not None]
        await asyncio.to_thread(self._processor.record_many, page)
        if updates:
            self.offset = updates[-1].update_id + 1
        await asyncio.gather(*(acknowledge_button(update) for update in updates))
        return len(updates)


async def acknowledge_button(update: Update) -> None:
    """Stop the button's spinner; losing this is harmless, so it does not go through the outbox."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer()
    except TelegramError as error:
        log.info("could not answer callback %s: %s", update.callback_query.id, error)


# --- out -----------------------------------------------------------------------------

class TelegramTransport:
    platform = PLATFORM
    max_text_length = 4096
    limits = RateLimits(per_second=30.0, private_interval=1.0, group_interval=3.0)  # Telegram's published ones

    def __init__(self, bot: telegram.Bot, limits: RateLimits | None = None) -> None:
        """`limits`: those of `[telegram]` (a self-hosted Bot API server may lift them)."""
        self._bot = bot
        if limits is not None:
            self.limits = limits

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def send(self, message: Outgoing) -> list[str]:
        try:
            if message.action is Action.EDIT:
                return await self._edit(message)
            if message.action is Action.DELETE:
                return await self._delete(message)
            topic = []
            if message.new_topic:
                message, topic = await self._open_topic(message)
            sent = [await self._send_attachment(message, a) for a in message.attachments]
            sent.append(await self._send_text(message))
        except TelegramRetryAfter as error:
            raise RetryAfter(_seconds(error.retry_after)) from error
        except ChatMigrated as error:
            raise PermanentFailure(f"group became supergroup {error.new_chat_id}; update the config",
                                   "chat_gone") from error
        except Forbidden as error:
            reason = "chat_gone" if self.is_group(message.chat.chat_id) else "blocked"
            raise PermanentFailure(f"forbidden: {error.message}", reason) from error
        except BadRequest as error:
            raise PermanentFailure(f"bad request: {error.message}", _bad_request_reason(error.message)) from error
        except NetworkError as error:  # includes TimedOut
            raise TemporaryFailure(str(error)) from error
        return topic + [str(m.message_id) for m in sent]

    async def _send_text(self, message: Outgoing) -> telegram.Message:
        options = dict(
            chat_id=int(message.chat.chat_id),
            reply_markup=_keyboard(message) or self._force_reply(message),
            reply_parameters=_reply(message),
            message_thread_id=int(message.thread_id) if message.thread_id else None,
        )
        try:
            return await self._bot.send_message(text=message.html, parse_mode=ParseMode.HTML, **options)
        except BadRequest as error:
            if "can't parse entities" not in error.message.lower():
                raise
            log.warning("Telegram rejected the formatting of a message; sending it as plain text: %s",
                        error.message, extra={"platform": "telegram"})
            return await self._bot.send_message(text=plain_text(message.html), **options)

    def _force_reply(self, message: Outgoing) -> ForceReply | None:
        """A prompt in a group makes the client reply to it, since privacy mode lets only replies to
        the bot through; selective (only the quoted person's client) when it quotes someone."""
        if not message.expects_reply or not self.is_group(message.chat.chat_id):
            return None
        return ForceReply(selective=bool(message.reply_to_message_id))

    async def _open_topic(self, message: Outgoing) -> tuple[Outgoing, list[str]]:
        """A forum topic for this message; its id is also the id of its first message, which every
        message in the topic answers, so replies and plain messages there find the question."""
        topic = await self._bot.create_forum_topic(int(message.chat.chat_id), message.new_topic[:128])
        thread = str(topic.message_thread_id)
        return replace(message, thread_id=thread, new_topic=""), [thread]

    async def _edit(self, message: Outgoing) -> list[str]:
        """Replace the text of the last message of a copy (attachments go first, the text last)."""
        target = message.targets[-1]
        try:
            await self._bot.edit_message_text(message.html, chat_id=int(message.chat.chat_id),
                                              message_id=int(target), parse_mode=ParseMode.HTML,
                                              reply_markup=_keyboard(message))
        except BadRequest as error:
            if "message is not modified" not in error.message.lower():
                raise
        return [target]

    async def _delete(self, message: Outgoing) -> list[str]:
        for target in message.targets:
            await self._bot.delete_message(int(message.chat.chat_id), int(target))
        return list(message.targets)

    async def _send_attachment(self, message: Outgoing, attachment: Attachment) -> telegram.Message:
        chat_id = int(message.chat.chat_id)
        thread = int(message.thread_id) if message.thread_id else None
        file = _file(attachment)
        if attachment.kind == MediaKind.PHOTO:
            return await self._bot.send_photo(chat_id, file, message_thread_id=thread)
        if attachment.kind == MediaKind.VOICE:
            return await self._bot.send_voice(chat_id, file, message_thread_id=thread)
        if attachment.kind == MediaKind.VIDEO:
            return await self._bot.send_video(chat_id, file, message_thread_id=thread)
        return await self._bot.send_document(chat_id, file, message_thread_id=thread)


def _file(attachment: Attachment) -> str | InputFile:
    """A platform file id, or the content of a generated file, uploaded as multipart/form-data."""
    if not attachment.path:
        return attachment.file_ref
    try:
        content = Path(attachment.path).read_bytes()
    except OSError as error:  # removed before it was sent: retrying cannot help
        raise PermanentFailure(f"file to upload is gone: {error}") from error
    return InputFile(content, filename=attachment.file_name or Path(attachment.path).name)


def _keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in message.buttons])


def _button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def _reply(message: Outgoing) -> ReplyParameters | None:
    if not message.reply_to_message_id:
        return None
    return ReplyParameters(message_id=int(message.reply_to_message_id), allow_sending_without_reply=True)


def _bad_request_reason(description: str) -> str:
    lowered = description.lower()
    for phrase, reason in (("chat not found", "chat_gone"), ("parse entities", "formatting"),
                           ("too big", "too_large"), ("too large", "too_large"),
                           ("message to delete not found", "gone"), ("message to edit not found", "gone"),
                           ("message can't be deleted", "too_old")):
        if phrase in lowered:
            return reason
    return "refused"


def _seconds(retry_after: object) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)  # type: ignore[arg-type]


async def register_commands(bot: telegram.Bot, menus: list[CommandMenu], default_language: str) -> None:
    """Young people's commands in private chats, officers' in groups, admins' in their own chats,
    described in each language. A staff chat Telegram does not know yet (an admin who never
    started the bot) is skipped with a warning rather than stopping the start."""
    for menu in menus:
        code = None if menu.language == default_language else menu.language
        commands = [BotCommand(name, text) for name, text in menu.commands]
        if menu.scope != "chats":
            scope = BotCommandScopeAllPrivateChats() if menu.scope == "private" else BotCommandScopeAllGroupChats()
            await bot.set_my_commands(commands, scope=scope, language_code=code)
            continue
        for chat_id in menu.chats:
            try:
                await bot.set_my_commands(commands, scope=BotCommandScopeChat(int(chat_id)), language_code=code)
            except TelegramError as error:
                log.warning("no command menu for staff chat %s: %s", chat_id, error)
