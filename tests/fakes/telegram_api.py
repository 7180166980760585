"""A strict local fake of the Telegram Bot API, spoken over real HTTP on 127.0.0.1.

End-to-end tests point python-telegram-bot's real `telegram.Bot` at `FakeTelegram.base_url`, so
every call goes through PTB's own encoding, HTTP client and error mapping, and every answer
through its `de_json`. Mocks would only check what we believe PTB does, and the npm package
telegram-test-api answers differently from Telegram. This fake follows
https://core.telegram.org/bots/api, with Telegram's own error texts, and parses HTML the way
tdlib does (`parse_html` in td/telegram/MessageEntity.cpp), so that a bot that passes here
fails in production only for the reasons listed below.

What python-telegram-bot 22 puts on the wire (telegram/request/_httpxrequest.py and
_requestparameter.py): every call is a POST; the parameters travel as
application/x-www-form-urlencoded, or as multipart/form-data when a file is uploaded; every
value that is not already a string (numbers, booleans, reply_markup, reply_parameters,
allowed_updates, commands, scope, ...) is JSON-encoded into a string. The fake also accepts
query strings and application/json bodies, as Telegram does.

Where the fake knowingly differs from Telegram:
- a "&" that does not start one of the entities Telegram knows is rejected; Telegram keeps it
  as it is, but its documentation requires escaping, and a bare "&" means a missing
  html.escape that the next "<" will turn into a failed message;
- parse_mode Markdown and MarkdownV2, and explicit `entities`, are not implemented;
- lengths are counted, as by Telegram, in UTF-16 code units after the entities are parsed
  (text 1-4096, captions 0-1024); <a href> URLs are not normalised; tg://user links
  stay text_link entities; only bot_command entities are found in users' messages;
- webhooks are posted one update at a time, in order (Telegram uses up to max_connections in
  parallel), only to 127.0.0.1 or localhost (where http:// is allowed), and a method in the
  webhook's answer is not executed;
- privacy mode (on, as by default) delivers from groups where the bot is no admin only
  commands (/cmd, /cmd@bot), replies to the bot's messages and messages mentioning @bot;
  `user_types` plays the client, which answers a ForceReply prompt (for everyone, or with
  `selective` for the sender of the message it quotes and the users it mentions) with a reply;
- reply threads of ordinary supergroups, the 24-hour life of pending
  updates and the time limit for answering callback queries are not modelled;
- rate limits are plain sliding windows (see `RateLimitRules`).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import math
import mimetypes
import re
import socket
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

JSON = dict[str, Any]
log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MB = 1024 * 1024
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
# Telegram sends every kind of update except these unless allowed_updates names them.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
DEFAULT_ICON_COLOR = 7322096
TOKEN_SHAPE = re.compile(r"\d+:[\w-]+")
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
})
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    "can_pin_messages": True,
}


# --- errors ------------------------------------------------------------------------------

class ApiError(Exception):
    """An error answer of the Bot API: handlers raise it, the endpoint turns it into JSON."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


# --- formatted text ----------------------------------------------------------------------

HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
    "blockquote", "span", "tg-spoiler", "tg-emoji",
})
ENTITY_OF_TAG = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SPACES = frozenset(" \t\r\n\v\f")
TRIMMED = " \t\r\n"


@dataclass(frozen=True)
class FormattedText:
    """Text as Telegram stores it: tags removed, entities decoded, offsets in UTF-16 units."""

    text: str
    entities: tuple[JSON, ...] = ()

    def fields(self, text_key: str, entities_key: str) -> JSON:
        """The message fields for this text, e.g. ("caption", "caption_entities")."""
        if not self.text:
            return {}
        fields: JSON = {text_key: self.text}
        if self.entities:
            fields[entities_key] = [dict(entity) for entity in self.entities]
        return fields


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def format_text(text: str, parse_mode: str | None) -> FormattedText:
    """Applies parse_mode the way sendMessage and the caption of media do."""
    if parse_mode is None:
        return _trimmed(text, [])
    if parse_mode.lower() == "html":
        return _HtmlParser(text).parse()
    if parse_mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"the fake Telegram does not implement parse_mode {parse_mode}; use HTML")
    raise bad_request("unsupported parse_mode")


def _trimmed(text: str, entities: list[JSON]) -> FormattedText:
    """Drops leading and trailing whitespace as Telegram does, moving the entities along."""
    body = text.strip(TRIMMED)
    lead = utf16_length(text[: len(text) - len(text.lstrip(TRIMMED))])
    size = utf16_length(body)
    kept = []
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return FormattedText(body, tuple(kept))


def _decode_reference(source: str, start: int) -> tuple[str, int] | None:
    """The character an "&..." reference at `start` stands for, and where it ends (tdlib rules)."""
    end = start + 1
    if source.startswith("#", end):
        end += 1
        hexadecimal = source.startswith("x", end)
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        first = end
        while end < len(source) and source[end] in digits:
            end += 1
        if end == first or end - start >= 10:
            return None
        code = int(source[first:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(source) and source[end].isascii() and source[end].isalpha():
            end += 1
        if source[start + 1:end] not in NAMED_ENTITIES:
            return None
        char = NAMED_ENTITIES[source[start + 1:end]]
    return char, end + source.startswith(";", end)


def _tag_argument(tag: str, attribute: str, value: str) -> str | None:
    """The value of the one attribute each tag cares about; tdlib ignores all the others."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return None


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset of the tag's content in the parsed text
    start: int  # index of the content in the parsed characters, for <a> without href


class _HtmlParser:
    """tdlib's HTML parser, with its error texts, so the fake refuses what Telegram refuses."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> FormattedText:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "<":
                self._tag()
            elif char == "&":
                self._append(self._reference())
            else:
                self._append(char)
                self.pos += 1
        if self.open:
            raise self._error(f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        return _trimmed("".join(self.out), self.entities)

    def _error(self, detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def _byte(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def _append(self, char: str) -> None:
        self.out.append(char)
        self.utf16 += utf16_length(char)

    def _reference(self) -> str:
        decoded = _decode_reference(self.source, self.pos)
        if decoded is None:
            raise self._error(f'Unescaped "&" at byte offset {self._byte(self.pos)}; write &amp;')
        char, self.pos = decoded
        return char

    def _skip_spaces(self) -> None:
        while self._peek() in SPACES:
            self.pos += 1

    def _skip_name(self, stops: str = ">") -> None:
        while (char := self._peek()) and char not in SPACES and char not in stops:
            self.pos += 1

    def _tag(self) -> None:
        begin = self.pos
        self.pos += 1
        if self._peek() == "/":
            self._end_tag(begin)
        else:
            self._start_tag(begin)
        self.pos += 1  # past ">"

    def _start_tag(self, begin: int) -> None:
        self._skip_name()
        if not self._peek():
            raise self._error(f"Unclosed start tag at byte offset {self._byte(begin)}")
        name = self.source[begin + 1:self.pos].lower()
        if name not in HTML_TAGS:
            raise self._error(f'Unsupported start tag "{name}" at byte offset {self._byte(begin)}')
        argument = self._attributes(name, begin)
        if name == "span" and argument != "spoiler":
            raise self._error(f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(begin)}')
        self.open.append(_OpenTag(name, argument, self.utf16, len(self.out)))

    def _attributes(self, tag: str, begin: int) -> str:
        """Reads the attributes up to ">" and returns the argument of the tag."""
        argument = ""
        while True:
            self._skip_spaces()
            if self._peek() == ">":
                return argument
            if not self._peek():
                raise self._error(f"Unclosed start tag at byte offset {self._byte(begin)}")
            name_start = self.pos
            self._skip_name(stops="=>")
            name = self.source[name_start:self.pos]
            if not name:
                raise self._error(f'Empty attribute name in the tag "{tag}" at byte offset {self._byte(begin)}')
            self._skip_spaces()
            if tag == "blockquote" and name == "expandable" and self._peek() != "=":
                argument = "expandable"
                continue
            if self._peek() != "=":
                raise self._error('Expected equal sign in declaration of an attribute of the tag '
                                  f'"{tag}" at byte offset {self._byte(begin)}')
            self.pos += 1
            self._skip_spaces()
            if not self._peek():
                raise self._error(f'Unclosed start tag "{tag}" at byte offset {self._byte(begin)}')
            argument = _tag_argument(tag, name, self._attribute_value()) or argument

    def _attribute_value(self) -> str:
        quote = self._peek()
        if quote not in ("'", '"'):
            start = self.pos
            while (char := self._peek()) and (char.isascii() and char.isalnum() or char in ".-"):
                self.pos += 1
            if self._peek() and self._peek() not in SPACES and self._peek() != ">":
                raise self._error(f"Unexpected end of name token at byte offset {self._byte(start)}")
            return self.source[start:self.pos].lower()
        self.pos += 1
        value = []
        while (char := self._peek()) and char != quote:
            if char == "&":
                value.append(self._reference())
            else:
                value.append(char)
                self.pos += 1
        if self._peek() == quote:
            self.pos += 1
        return "".join(value)

    def _end_tag(self, begin: int) -> None:
        if not self.open:
            raise self._error(f"Unexpected end tag at byte offset {self._byte(begin)}")
        self.pos += 1  # past "/"
        self._skip_name()
        name = self.source[begin + 2:self.pos].lower()
        self._skip_spaces()
        if self._peek() != ">":
            raise self._error(f"Unclosed end tag at byte offset {self._byte(begin)}")
        tag = self.open[-1]
        if name and name != tag.name:
            raise self._error(f'Unmatched end tag at byte offset {self._byte(begin)}, '
                              f'expected "</{tag.name}>", found "</{name}>"')
        self.open.pop()
        if self.utf16 > tag.offset:
            entity = self._entity(tag)
            self.entities.append({**entity, "offset": tag.offset, "length": self.utf16 - tag.offset})

    def _entity(self, tag: _OpenTag) -> JSON:
        if tag.name in ENTITY_OF_TAG:
            return {"type": ENTITY_OF_TAG[tag.name]}
        if tag.name == "blockquote":
            return {"type": "expandable_blockquote" if tag.argument == "expandable" else "blockquote"}
        if tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise self._error("Invalid custom emoji identifier specified")
            return {"type": "custom_emoji", "custom_emoji_id": tag.argument}
        if tag.name == "a":
            return {"type": "text_link", "url": tag.argument or "".join(self.out[tag.start:])}
        if tag.name == "code":
            return {"type": "code", "language": tag.argument}  # the language goes to an enclosing <pre>
        return self._pre(tag)

    def _pre(self, tag: _OpenTag) -> JSON:
        """<pre><code class="language-x"> is one pre entity with that language."""
        last = self.entities[-1] if self.entities else None
        same_text = last is not None and (last["offset"], last["length"]) == (tag.offset, self.utf16 - tag.offset)
        if last is not None and last["type"] == "code" and same_text:
            self.entities.pop()
            return {"type": "pre", "language": last["language"]} if last["language"] else {"type": "pre"}
        return {"type": "pre"}


def _command_entities(text: str) -> JSON:
    """The bot_command entities Telegram adds to users' messages, which PTB's filters rely on."""
    entities = [{"type": "bot_command", "offset": utf16_length(text[:m.start()]), "length": utf16_length(m.group())}
                for m in BOT_COMMAND.finditer(text)]
    return {"entities": entities} if entities else {}


# --- request parameters ------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """A file that came as a part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """A call's parameters as they arrived: strings from forms and query strings, JSON values
    from a JSON body. The getters accept both, as Telegram does."""

    values: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str) -> Any | None:
        """The value, or None when it is missing or empty (Telegram treats both alike)."""
        value = self.values.get(name)
        return None if value is None or value == "" else value

    def string(self, name: str) -> str | None:
        value = self.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'parameter "{name}" must be an integer') from None

    def flag(self, name: str) -> bool:
        return self.get(name) in (True, 1, "true", "True", "1")

    def structure(self, name: str, what: str) -> Any | None:
        """A JSON object or array, JSON-encoded in a string unless the body itself was JSON."""
        value = self.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what} JSON object") from None

    def file(self, name: str) -> str | Upload | None:
        """A file_id or URL, or an uploaded file (its own part, or attach://<part>)."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.string(name)
        if value is not None and value.startswith("attach://"):
            upload = self.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found")
            return upload
        return value


async def read_params(request: Request, max_upload_bytes: int) -> Params:
    """Query string plus the body, whichever of the encodings Telegram accepts it came in."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body and media_type == "application/json":
        values.update(_json_object(body))
    elif body and media_type == "application/x-www-form-urlencoded":
        values.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif body and media_type == "multipart/form-data":
        fields, uploads = _multipart(content_type, body)
        values.update(fields)
    if any(len(upload.data) > max_upload_bytes for upload in uploads.values()):
        raise ApiError(413, "Request Entity Too Large")
    return Params(values, uploads)


def _json_object(body: bytes) -> JSON:
    try:
        value = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(value, dict):
        raise bad_request("can't parse JSON object")
    return value


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """Splits multipart/form-data with the standard library (python-multipart is not installed)."""
    envelope = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(envelope)
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            uploads[name] = Upload(filename, part.get_content_type(), data)
    return fields, uploads


# --- state -------------------------------------------------------------------------------

@dataclass
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    started: bool = True  # pressed Start: only then may a bot write to someone first
    blocked_bot: bool = False

    def to_api(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class FakeChat:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: FakeUser | None = None  # the other side of a private chat
    forum: bool = False
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    bot_kicked: bool = False
    messages: dict[int, JSON] = field(default_factory=dict)
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name
    last_message_id: int = 0
    force_replies: dict[int, JSON] = field(default_factory=dict)  # the bot's message id -> its ForceReply

    def to_api(self) -> JSON:
        if self.user is not None:
            chat = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            return chat | ({"username": self.user.username} if self.user.username else {})
        return {"id": self.id, "type": self.type, "title": self.title} | ({"is_forum": True} if self.forum else {})

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class PendingUpdate:
    update: JSON
    # A redelivered copy (see duplicate_update) survives offsets confirmed before it was queued.
    redelivery: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class FakeFile:
    """A file Telegram knows, so that its file_id can be sent again."""

    kind: str  # "photo", "document", "voice", "video" or "sticker"
    api: JSON | list[JSON]  # what messages carry: an object, or PhotoSizes for photos


@dataclass(frozen=True)
class DropRule:
    after_processing: bool  # the call takes effect, only its answer is lost


@dataclass
class Stats:
    """What the bot asked of the fake, for tests that check effort rather than outcome."""

    calls: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    dropped_connections: int = 0
    webhook_posts: int = 0
    webhook_failures: int = 0


@dataclass(frozen=True)
class ApiCall:
    """One request as it came over the wire."""

    method: str
    content_type: str
    params: dict[str, Any]
    files: tuple[str, ...]


# --- rate limits -------------------------------------------------------------------------

@dataclass(frozen=True)
class RateLimitRules:
    """Telegram's advice as hard limits on sends (sendMessage, sendPhoto, ...): at most
    `per_second` in any second overall, `per_private_chat_per_second` in any second to one
    private chat, `per_group_per_minute` in any minute to one group. Each is a sliding window
    over accepted sends, so a burst up to the limit passes and the next send waits until the
    oldest one leaves the window; refused sends do not count."""

    per_second: int = 30
    per_private_chat_per_second: int = 1
    per_group_per_minute: int = 20


class RateLimiter:
    def __init__(self, rules: RateLimitRules, clock: Callable[[], float]) -> None:
        self._rules = rules
        self._clock = clock
        self._sent: dict[tuple[str, int], deque[float]] = defaultdict(deque)

    def admit(self, chat: FakeChat) -> None:
        """Counts one send to `chat`, or raises 429 with the seconds until it would pass."""
        now = self._clock()
        if chat.type == "private":
            per_chat = (self._rules.per_private_chat_per_second, 1.0)
        else:
            per_chat = (self._rules.per_group_per_minute, 60.0)
        windows = [(("all", 0), self._rules.per_second, 1.0), (("chat", chat.id), *per_chat)]
        wait = max(self._wait(key, limit, window, now) for key, limit, window in windows)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        for key, _, _ in windows:
            self._sent[key].append(now)

    def _wait(self, key: tuple[str, int], limit: int, window: float, now: float) -> float:
        sent = self._sent[key]
        while sent and sent[0] <= now - window:
            sent.popleft()
        return 0.0 if len(sent) < limit else sent[0] + window - now


# --- serving -----------------------------------------------------------------------------

_DROP_KEY = "fake_telegram.drop_connection"
_DROPPED = "fake-telegram: connection dropped on purpose"


class _QuietDrops(logging.Filter):
    """Hides uvicorn's complaint about the marker `_DropConnections` returns, and nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.args, tuple) and _DROPPED in record.args)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class _DropConnections:
    """Lets an endpoint answer by closing the connection, as a failing network would.

    ASGI has no "abort" message, but uvicorn closes the socket without writing anything when
    the application returns a value instead of None: the wrapper swallows what the endpoint
    sends and returns a marker.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> str | None:
        async def send_unless_dropped(message: Any) -> None:
            if not scope.get(_DROP_KEY):
                await send(message)

        await self._app(scope, receive, send_unless_dropped)
        return _DROPPED if scope.get(_DROP_KEY) else None


class LocalServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1, from a daemon thread with its own loop.

    The socket is bound (to a port the OS chooses) and listening before the thread starts,
    so the port is known at once and no client can come too early. It is made with
    IPPROTO_TCP because asyncio disables Nagle's algorithm only on such sockets; without it
    every answer waits some 40 ms for a delayed ACK.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen()
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", http="h11",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        return self._socket.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True,
                                        name=f"uvicorn-{self.port}")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local server did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._socket.close()

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._ready.set()
        await self._server.serve(sockets=[self._socket])


async def _unknown_path(request: Request) -> Response:
    return JSONResponse(not_found().body(), status_code=404)


# --- the fake ----------------------------------------------------------------------------

class FakeTelegram:
    """The Bot API of one bot, on 127.0.0.1, plus the people who talk to it.

        with FakeTelegram() as fake:
            fake.add_user(1001, "An")
            fake.user_sends(1001, text="/start")
            ...  # the bot runs with telegram.Bot(fake.token, base_url=fake.base_url)
            assert fake.last_bot_message(1001)["text"] == "..."

    The server runs in its own thread; tests call the helpers from theirs. All state is
    behind one lock, never held while waiting on the network.
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, limits: RateLimitRules | None = None,
                 clock: Callable[[], float] = time.monotonic, max_upload_bytes: int = 50 * MB,
                 max_photo_bytes: int = 10 * MB, background_webhooks: bool = False,
                 webhook_retry_seconds: float = 0.5, bot_username: str = "test_bot",
                 privacy_mode: bool = True) -> None:
        self.token = token
        self.privacy_mode = privacy_mode
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {"id": self.bot_id, "is_bot": True, "first_name": "Test Bot", "username": bot_username}
        self.stats = Stats()
        self.callback_answers: list[JSON] = []
        self.requests: list[ApiCall] = []
        self._lock = threading.RLock()
        self._pollers_changed = threading.Condition(self._lock)
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._files: dict[str, FakeFile] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._pending: list[PendingUpdate] = []
        self._history: dict[int, JSON] = {}
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._open_queries: dict[str, JSON] = {}
        self._failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._drops: dict[str, deque[DropRule]] = defaultdict(deque)
        self._webhook: Webhook | None = None
        self._limiter = RateLimiter(limits, clock) if limits else None
        self._max_upload_bytes = max_upload_bytes
        self._max_photo_bytes = max_photo_bytes
        self._poll_generation = 0
        self._waiting_pollers = 0
        self._updates_event = asyncio.Event()  # binds to the server's loop on first use
        self._closing = False
        self._delivery_lock = threading.Lock()
        self._webhook_wakeup = threading.Event()
        self._stopping = threading.Event()
        self._background_webhooks = background_webhooks
        self._webhook_retry_seconds = webhook_retry_seconds
        self._webhook_thread: threading.Thread | None = None
        self._methods = self._method_table()
        routes = [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                  Route("/{path:path}", _unknown_path, methods=["GET", "POST"])]
        self._server = LocalServer(_DropConnections(Starlette(routes=routes)))

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        self._server.start()
        if self._background_webhooks:
            self._webhook_thread = threading.Thread(target=self._deliver_in_background, daemon=True,
                                                    name="fake-telegram-webhooks")
            self._webhook_thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._closing = True  # long polls in progress answer at once
            self._wake_pollers()
        self._stopping.set()
        self._webhook_wakeup.set()
        if self._webhook_thread is not None:
            self._webhook_thread.join(10)
        self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def base_url(self) -> str:
        """What `telegram.Bot(token, base_url=...)` wants: PTB appends the token itself."""
        return f"{self._server.url}/bot"

    # --- people ------------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, username: str | None = None,
                 language_code: str | None = "vi", *, started: bool = True) -> JSON:
        """A person; `started=False` means they never pressed Start, so the bot cannot write first."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        with self._lock:
            user = FakeUser(user_id, first_name, username, language_code, started=started)
            self._users[user_id] = user
            self._chats[user_id] = FakeChat(id=user_id, type="private", user=user)
            return user.to_api()

    def add_group(self, chat_id: int, title: str, members: Iterable[int] = (), forum: bool = False,
                  supergroup: bool = True, *, admins: Iterable[int] = (), bot_is_admin: bool = False) -> JSON:
        """A group the bot is in. Forum topics and deleting others' messages need `bot_is_admin`."""
        if chat_id >= 0:
            raise ValueError("group ids are negative on Telegram")
        if forum and not supergroup:
            raise ValueError("only supergroups can be forums")
        with self._lock:
            admin_ids = set(admins)
            member_ids = set(members) | admin_ids
            if unknown := member_ids - self._users.keys():
                raise ValueError(f"add_user first: {sorted(unknown)}")
            chat = FakeChat(id=chat_id, type="supergroup" if supergroup else "group", title=title, forum=forum,
                            members=member_ids, admins=admin_ids, bot_is_admin=bot_is_admin)
            self._chats[chat_id] = chat
            return chat.to_api()

    def user_sends(self, user_id: int, chat_id: int | None = None, text: str | None = None,
                   reply_to: int | None = None, photo: bool = False, document: str | None = None,
                   voice: bool = False, sticker: bool = False, caption: str | None = None,
                   message_thread_id: int | None = None) -> JSON:
        """A message from a person (to the private chat with the bot unless `chat_id` says
        otherwise), queued as a "message" update. `document` is the file's name."""
        with self._lock:
            user = self._user(user_id)
            chat = self._chat_of(user, chat_id)
            content = self._user_content(text, photo, document, voice, sticker, caption)
            if message_thread_id is not None and message_thread_id not in chat.topics:
                raise LookupError(f"no topic {message_thread_id} in chat {chat.id}")
            replied = self._message(chat, reply_to) if reply_to is not None else None
            if chat.user is not None:
                self._user_writes_to_bot(user, chat)
            message = self._new_message(chat, user.to_api(), content, message_thread_id, replied)
            if self._bot_sees(chat, message):
                self._queue_from(chat, "message", message)
            return copy.deepcopy(message)

    def user_types(self, user_id: int, chat_id: int, text: str) -> JSON:
        """A person types a message in a group, as their client sends it: as a reply to the bot's
        newest message there if that asks them for one (ForceReply), else as a plain message."""
        with self._lock:
            chat = self._chat_of(self._user(user_id), chat_id)
            newest = max((i for i, m in chat.messages.items() if m["from"]["id"] == self.bot_id), default=None)
            asking = newest is not None and self._forces_reply(chat, newest, user_id)
        return self.user_sends(user_id, chat_id, text=text, reply_to=newest if asking else None)

    def _forces_reply(self, chat: FakeChat, message_id: int, user_id: int) -> bool:
        markup = chat.force_replies.get(message_id)
        if markup is None:
            return False
        if not markup.get("selective"):
            return True
        message = chat.messages[message_id]
        user = self._users[user_id]
        quoted = (message.get("reply_to_message") or {}).get("from", {}).get("id") == user_id
        mentioned = any(e.get("type") == "text_mention" and e.get("user", {}).get("id") == user_id
                        for e in message.get("entities", [])) or (
            user.username is not None and f"@{user.username}" in message.get("text", ""))
        return quoted or mentioned

    def _bot_sees(self, chat: FakeChat, message: JSON) -> bool:
        """Privacy mode: in a group where it is no admin, the bot gets commands, replies to its own
        messages (in a forum topic it opened, every message) and messages that mention it."""
        if chat.user is not None or not self.privacy_mode or chat.bot_is_admin:
            return True
        text = message.get("text") or message.get("caption") or ""
        username = self.bot_user["username"]
        command = BOT_COMMAND.match(text)
        if command and ("@" not in command.group() or command.group().endswith(f"@{username}")):
            return True
        replied = message.get("reply_to_message") or {}
        return replied.get("from", {}).get("id") == self.bot_id or f"@{username}" in text

    def user_edits(self, user_id: int, chat_id: int, message_id: int, new_text: str) -> JSON:
        """A person edits the text (or caption) of their message, queued as "edited_message"."""
        with self._lock:
            chat = self._chat_of(self._user(user_id), chat_id)
            message = self._message(chat, message_id)
            if message["from"]["id"] != user_id:
                raise ValueError("people can edit only their own messages")
            if "text" in message:
                replaced, new = ("text", "entities"), {"text": new_text} | _command_entities(new_text)
            else:
                replaced, new = ("caption", "caption_entities"), {"caption": new_text}
            edited = {k: v for k, v in message.items() if k not in replaced} | new | {"edit_date": int(time.time())}
            chat.messages[message_id] = edited
            if self._bot_sees(chat, edited):
                self._queue_from(chat, "edited_message", edited)
            return copy.deepcopy(edited)

    def user_presses(self, user_id: int, chat_id: int, message_id: int, button: int | str) -> JSON:
        """A person presses an inline button, chosen by its index (row by row) or its
        callback_data; queued as a "callback_query". Returns the CallbackQuery."""
        with self._lock:
            user = self._user(user_id)
            chat = self._chat_of(user, chat_id)
            message = self._message(chat, message_id)
            query = {"id": str(next(self._ids)), "from": user.to_api(), "message": copy.deepcopy(message),
                     "chat_instance": f"{chat.id * 7919}", "data": _pressed_data(message, button)}
            self._open_queries[query["id"]] = query
            self._queue_from(chat, "callback_query", query)
            return copy.deepcopy(query)

    def duplicate_update(self, update_id: int) -> None:
        """Queues an update again under the same update_id, as Telegram does when it lost the
        confirmation. The copy is not dropped by offsets confirmed before it was queued."""
        with self._lock:
            if update_id not in self._history:
                raise LookupError(f"no update {update_id} was ever queued")
            self._pending.append(PendingUpdate(copy.deepcopy(self._history[update_id]), redelivery=True))
            self._pending.sort(key=lambda pending: pending.update_id)
            self._updates_changed()

    # --- failures ----------------------------------------------------------------------

    def block_user(self, user_id: int) -> None:
        """The person blocks the bot: sends to them answer 403 until they write again."""
        with self._lock:
            user = self._user(user_id)
            if not user.blocked_bot:
                self._queue_my_chat_member(self._chats[user_id], user.to_api(), "member", "kicked")
                user.blocked_bot = True

    def kick_bot(self, chat_id: int, by_user_id: int | None = None) -> None:
        """Someone (by default an admin or member of the group) removes the bot from the group."""
        with self._lock:
            chat = self._group(chat_id)
            actor = by_user_id or min(chat.admins or chat.members, default=None)
            if actor is None:
                raise ValueError("nobody in the group could kick the bot; pass by_user_id")
            if not chat.bot_kicked:
                old = "administrator" if chat.bot_is_admin else "member"
                self._queue_my_chat_member(chat, self._user(actor).to_api(), old, "kicked")
                chat.bot_kicked = True

    def fail_next(self, method: str, error_code: int, description: str, retry_after: int | None = None,
                  times: int = 1) -> None:
        """The next `times` calls of `method` answer this error instead of doing anything."""
        with self._lock:
            self._failures[method.lower()].extend([ApiError(error_code, description, retry_after)] * times)

    def drop_next_connection(self, method: str, *, after_processing: bool = False, times: int = 1) -> None:
        """The next `times` calls of `method` get their connection closed without an answer;
        with `after_processing` the call takes effect first, like an answer lost on the way."""
        with self._lock:
            self._drops[method.lower()].extend([DropRule(after_processing)] * times)

    # --- inspection --------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[JSON]:
        """Every message in the chat, people's and the bot's, oldest first, as Telegram has them."""
        with self._lock:
            return copy.deepcopy(list(self._known_chat(chat_id).messages.values()))

    def bot_messages(self, chat_id: int) -> list[JSON]:
        return [message for message in self.messages(chat_id) if message["from"]["id"] == self.bot_id]

    def last_bot_message(self, chat_id: int) -> JSON:
        sent = self.bot_messages(chat_id)
        if not sent:
            raise LookupError(f"the bot has no message in chat {chat_id}")
        return sent[-1]

    @property
    def commands(self) -> dict[tuple[str, str], list[JSON]]:
        """What setMyCommands recorded, by (scope, language_code); scope is its type, with
        ":chat_id" (and ":user_id") for the scopes that name a chat; language "" is the default."""
        with self._lock:
            return copy.deepcopy(self._commands)

    def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Blocks until a getUpdates long poll is waiting, so tests need not sleep."""
        with self._pollers_changed:
            if not self._pollers_changed.wait_for(lambda: self._waiting_pollers > 0, timeout):
                raise TimeoutError("no getUpdates long poll is waiting")

    # --- webhooks ----------------------------------------------------------------------

    def deliver_webhooks(self) -> int:
        """One delivery pass, now, in this thread: posts the pending updates in order and stops
        at the first one the webhook does not answer with 2xx, which stays pending. Returns how
        many were delivered."""
        delivered = 0
        with self._delivery_lock, httpx.Client(timeout=10) as client:
            while (job := self._next_webhook_job()) is not None:
                webhook, pending = job
                error = _post_update(client, webhook, pending.update)
                with self._lock:
                    self._record_delivery(webhook, pending, error)
                if error is not None:
                    break
                delivered += 1
        return delivered

    async def deliver_webhooks_async(self) -> int:
        """`deliver_webhooks` for tests whose webhook receiver runs on their own event loop."""
        return await asyncio.to_thread(self.deliver_webhooks)

    def _next_webhook_job(self) -> tuple[Webhook, PendingUpdate] | None:
        with self._lock:
            if self._webhook is None or not self._pending:
                return None
            return self._webhook, self._pending[0]

    def _record_delivery(self, webhook: Webhook, pending: PendingUpdate, error: str | None) -> None:
        self.stats.webhook_posts += 1
        if error is None:
            self._pending = [other for other in self._pending if other is not pending]
            return
        self.stats.webhook_failures += 1
        webhook.last_error_date = int(time.time())
        webhook.last_error_message = error

    def _deliver_in_background(self) -> None:
        """Delivers whenever updates arrive; after a refusal, retries every few moments."""
        while not self._stopping.is_set():
            self._webhook_wakeup.wait()
            self._webhook_wakeup.clear()
            if self._stopping.is_set():
                return
            self.deliver_webhooks()
            if self._next_webhook_job() is not None:
                self._stopping.wait(self._webhook_retry_seconds)
                self._webhook_wakeup.set()

    # --- the endpoint ------------------------------------------------------------------

    def _method_table(self) -> dict[str, tuple[str, Callable[[Params], Any]]]:
        """Method names are case-insensitive on Telegram; stats use the documented spelling."""
        handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message, "sendPhoto": self._send_photo,
            "sendDocument": self._send_document, "sendVoice": self._send_voice, "sendVideo": self._send_video,
            "editMessageText": self._edit_message_text, "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message, "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands, "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat, "getChatMember": self._get_chat_member,
            "createForumTopic": self._create_forum_topic,
        }
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def _endpoint(self, request: Request) -> Response:
        token = request.path_params["token"]
        if token != self.token:
            error = ApiError(401, "Unauthorized") if TOKEN_SHAPE.fullmatch(token) else not_found()
            return JSONResponse(error.body(), status_code=error.code)
        called = request.path_params["method"]
        method, handler = self._methods.get(called.lower(), (called, None))
        with self._lock:
            self.stats.calls[method] += 1
            drops = self._drops[method.lower()]
            drop = drops.popleft() if drops else None
        if drop is None:
            return await self._answer(method, handler, request)
        if drop.after_processing:
            await self._answer(method, handler, request)
        else:
            await request.body()  # closing with unread data would reset the connection instead
        request.scope[_DROP_KEY] = True
        with self._lock:
            self.stats.dropped_connections += 1
        return Response()  # never sent: _DropConnections closes the socket instead

    async def _answer(self, method: str, handler: Callable[[Params], Any] | None, request: Request) -> Response:
        try:
            params = await read_params(request, self._max_upload_bytes)
            self._record_call(method, request, params)
            if handler is None:
                log.warning("FakeTelegram has no method %r; answering 404 as Telegram does for unknown ones", method)
                raise not_found()
            result = await self._call(method, handler, params)
        except ApiError as error:
            if error.code == 429:
                with self._lock:
                    self.stats.too_many_requests += 1
            return JSONResponse(error.body(), status_code=error.code)
        return JSONResponse({"ok": True, "result": result})

    async def _call(self, method: str, handler: Callable[[Params], Any], params: Params) -> Any:
        with self._lock:
            failures = self._failures[method.lower()]
            if failures:
                raise failures.popleft()
            if not asyncio.iscoroutinefunction(handler):
                return handler(params)
        return await handler(params)

    def _record_call(self, method: str, request: Request, params: Params) -> None:
        call = ApiCall(method, request.headers.get("content-type", ""), dict(params.values), tuple(params.uploads))
        with self._lock:
            self.requests.append(call)

    # --- Bot API: updates and webhooks -------------------------------------------------

    def _get_me(self, params: Params) -> JSON:
        return self.bot_user | {"can_join_groups": True, "can_read_all_group_messages": False,
                                "supports_inline_queries": False}

    async def _get_updates(self, params: Params) -> list[JSON]:
        """Confirms what is below `offset`, then answers at once or when an update arrives."""
        limit = min(max(params.integer("limit") or 100, 1), 100)
        deadline = time.monotonic() + max(params.integer("timeout") or 0, 0)
        with self._lock:
            self._refuse_polling_during_webhook()
            self._set_allowed_updates(params.structure("allowed_updates", "allowed updates"))
            self._confirm(params.integer("offset"))
            self._poll_generation += 1
            generation = self._poll_generation
        self._updates_event.set()  # an older poll still waiting ends with a conflict, as on Telegram
        while True:
            self._updates_event.clear()
            with self._lock:
                batch = self._poll_batch(generation, limit)
                if batch or self._closing or time.monotonic() >= deadline:
                    return batch
                self._waiting_pollers += 1
                self._pollers_changed.notify_all()
            try:
                await asyncio.wait_for(self._updates_event.wait(), deadline - time.monotonic())
            except TimeoutError:
                pass
            finally:
                with self._lock:
                    self._waiting_pollers -= 1

    def _poll_batch(self, generation: int, limit: int) -> list[JSON]:
        if generation != self._poll_generation:
            raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                "make sure that only one bot instance is running")
        self._refuse_polling_during_webhook()
        batch = self._pending[:limit]
        for pending in batch:
            pending.redelivery = False
        return [copy.deepcopy(pending.update) for pending in batch]

    def _refuse_polling_during_webhook(self) -> None:
        if self._webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")

    def _confirm(self, offset: int | None) -> None:
        """Telegram forgets, for good, every update below the offset (or all but the last
        -offset ones for a negative offset)."""
        if offset is None:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [p for p in self._pending if p.update_id >= offset or p.redelivery]

    def _set_allowed_updates(self, allowed: Any) -> None:
        """Remembered for later calls, as on Telegram; an empty list restores the default."""
        if allowed is None:
            return
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise bad_request("can't parse allowed updates JSON object")
        self._allowed_updates = frozenset(allowed) or None

    def _set_webhook(self, params: Params) -> bool:
        url = params.string("url")
        if url is None:  # setWebhook with an empty URL removes the webhook
            return self._delete_webhook(params)
        _check_webhook_url(url)
        secret = params.string("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        self._set_allowed_updates(params.structure("allowed_updates", "allowed updates"))
        self._webhook = Webhook(url, secret, params.integer("max_connections") or 40)
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self._updates_changed()  # polls in progress end with a conflict; deliveries may start
        return True

    def _delete_webhook(self, params: Params) -> bool:
        self._webhook = None
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: Params) -> JSON:
        webhook = self._webhook
        info: JSON = {"url": webhook.url if webhook else "", "has_custom_certificate": False,
                      "pending_update_count": len(self._pending)}
        if webhook is None:
            return info
        info |= {"max_connections": webhook.max_connections, "ip_address": "127.0.0.1"}
        if webhook.last_error_date is not None:
            info |= {"last_error_date": webhook.last_error_date, "last_error_message": webhook.last_error_message}
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # --- Bot API: sending --------------------------------------------------------------

    def _send_message(self, params: Params) -> JSON:
        chat, thread = self._destination(params)
        text = self._text(params)
        return self._post(chat, thread, params, text.fields("text", "entities"))

    def _send_photo(self, params: Params) -> JSON:
        return self._send_media(params, "photo")

    def _send_document(self, params: Params) -> JSON:
        return self._send_media(params, "document")

    def _send_voice(self, params: Params) -> JSON:
        return self._send_media(params, "voice")

    def _send_video(self, params: Params) -> JSON:
        return self._send_media(params, "video")

    def _send_media(self, params: Params, kind: str) -> JSON:
        chat, thread = self._destination(params)
        media = self._media(params, kind)
        caption = self._caption(params)
        return self._post(chat, thread, params, {kind: media} | caption.fields("caption", "caption_entities"))

    def _post(self, chat: FakeChat, thread: int | None, params: Params, content: JSON) -> JSON:
        """Stores a message of the bot, after the checks every send shares and the rate limits."""
        markup = _inline_markup(params)
        force_reply = _force_reply(params)
        replied = self._replied(params, chat)
        if self._limiter is not None:
            self._limiter.admit(chat)
        if markup is not None:
            content["reply_markup"] = markup
        message = self._new_message(chat, self.bot_user, content, thread, replied)
        if force_reply is not None:
            chat.force_replies[message["message_id"]] = force_reply
        return copy.deepcopy(message)

    def _destination(self, params: Params) -> tuple[FakeChat, int | None]:
        chat = self._writable_chat(params)
        thread = params.integer("message_thread_id")
        if thread is not None and thread not in chat.topics:
            raise bad_request("message thread not found")
        return chat, thread

    def _text(self, params: Params) -> FormattedText:
        raw = params.string("text")
        text = format_text(raw, params.string("parse_mode")) if raw is not None else FormattedText("")
        if not text.text:
            raise bad_request("message text is empty")
        if utf16_length(text.text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text

    def _caption(self, params: Params) -> FormattedText:
        raw = params.string("caption")
        caption = format_text(raw, params.string("parse_mode")) if raw is not None else FormattedText("")
        if utf16_length(caption.text) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption

    def _replied(self, params: Params, chat: FakeChat) -> JSON | None:
        """The message replied to, from reply_parameters or the older reply_to_message_id."""
        reply = params.structure("reply_parameters", "reply parameters") or {}
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id = reply.get("message_id", params.integer("reply_to_message_id"))
        if message_id is None:
            return None
        replied = chat.messages.get(int(message_id))
        if replied is None and not reply.get("allow_sending_without_reply", params.flag("allow_sending_without_reply")):
            raise bad_request("message to be replied not found")
        return replied

    def _media(self, params: Params, kind: str) -> JSON | list[JSON]:
        ref = params.file(kind)
        if ref is None:
            raise bad_request(f'parameter "{kind}" is required')
        if isinstance(ref, Upload):
            return self._uploaded(kind, ref).api
        if urlsplit(ref).scheme in ("http", "https"):
            name = PurePosixPath(urlsplit(ref).path).name or "file"
            return self._new_file(kind, file_name=name).api
        known = self._files.get(ref)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if known.kind != kind and (kind != "document" or known.kind == "photo"):
            raise bad_request("type of file mismatch")
        return copy.deepcopy(known.api)

    def _uploaded(self, kind: str, upload: Upload) -> FakeFile:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if kind == "photo" and len(upload.data) > self._max_photo_bytes:
            raise bad_request("file is too big")
        return self._new_file(kind, file_name=upload.filename, size=len(upload.data), mime_type=upload.content_type)

    def _new_file(self, kind: str, *, file_name: str | None = None, size: int | None = None,
                  mime_type: str | None = None) -> FakeFile:
        """Registers a file under new ids, so that sending its file_id later works."""
        number = next(self._ids)
        ids = {"file_id": f"fake-{kind}-{number}", "file_unique_id": f"u-{kind}-{number}"}
        sized = {"file_size": size} if size is not None else {}
        if kind == "photo":
            api: JSON | list[JSON] = [
                {"file_id": f"fake-photo-{number}-{width}", "file_unique_id": f"u-photo-{number}-{width}",
                 "width": width, "height": width * 2 // 3}
                | ({"file_size": max(1, size * width // 1280)} if size else {})
                for width in (90, 320, 1280)]
        elif kind == "document":
            mime_type = mimetypes.guess_type(file_name or "")[0] or mime_type or "application/octet-stream"
            api = ids | {"file_name": file_name or "file", "mime_type": mime_type} | sized
        elif kind == "voice":
            api = ids | {"duration": 3, "mime_type": "audio/ogg"} | sized
        elif kind == "video":
            api = ids | {"width": 1280, "height": 720, "duration": 5, "mime_type": "video/mp4"} | sized
        else:
            api = ids | {"width": 512, "height": 512, "is_animated": False, "is_video": False,
                         "type": "regular", "emoji": "👍"} | sized
        known = FakeFile(kind, api)
        file_ids = [photo["file_id"] for photo in api] if isinstance(api, list) else [api["file_id"]]
        for file_id in file_ids:
            self._files[file_id] = known
        return known

    def _new_message(self, chat: FakeChat, sender: JSON, content: JSON, thread: int | None,
                     replied: JSON | None) -> JSON:
        """Stores a message; in a forum topic it replies to the topic's first message, as on Telegram."""
        message: JSON = {"message_id": chat.next_message_id(), "from": sender, "chat": chat.to_api(),
                         "date": int(time.time())}
        if thread is not None:
            message |= {"message_thread_id": thread, "is_topic_message": True}
            replied = replied or chat.messages.get(thread)
        if replied is not None:
            message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        message |= content
        chat.messages[message["message_id"]] = message
        return message

    # --- Bot API: editing and deleting -------------------------------------------------

    def _edit_message_text(self, params: Params) -> JSON:
        chat, message = self._own_message(params, "message to edit not found", "message can't be edited")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        new = self._text(params).fields("text", "entities")
        markup = _inline_markup(params)  # leaving it out removes the keyboard, as on Telegram
        return self._edit(chat, message, ("text", "entities", "reply_markup"),
                          new | ({"reply_markup": markup} if markup else {}))

    def _edit_message_reply_markup(self, params: Params) -> JSON:
        chat, message = self._own_message(params, "message to edit not found", "message can't be edited")
        markup = _inline_markup(params)
        return self._edit(chat, message, ("reply_markup",), {"reply_markup": markup} if markup else {})

    def _edit(self, chat: FakeChat, message: JSON, replaced: tuple[str, ...], new: JSON) -> JSON:
        edited = {k: v for k, v in message.items() if k not in replaced} | new
        if _content(edited) == _content(message):
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        chat.messages[message["message_id"]] = edited
        return copy.deepcopy(edited)

    def _own_message(self, params: Params, missing: str, foreign: str) -> tuple[FakeChat, JSON]:
        chat = self._writable_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request(missing)
        if message["from"]["id"] != self.bot_id:
            raise bad_request(foreign)
        return chat, message

    def _delete_message(self, params: Params) -> bool:
        chat = self._writable_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to delete not found")
        if chat.user is None and message["from"]["id"] != self.bot_id and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        del chat.messages[message_id]
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.string("callback_query_id")
        if query_id is None:
            raise bad_request('parameter "callback_query_id" is required')
        if self._open_queries.pop(query_id, None) is None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        answer = {"callback_query_id": query_id, "text": params.string("text"), "show_alert": params.flag("show_alert"),
                  "url": params.string("url"), "cache_time": params.integer("cache_time")}
        self.callback_answers.append({k: v for k, v in answer.items() if v is not None})
        return True

    # --- Bot API: commands, chats, topics ----------------------------------------------

    def _set_my_commands(self, params: Params) -> bool:
        commands = params.structure("commands", "commands")
        if commands is None:
            raise bad_request('parameter "commands" is required')
        if not isinstance(commands, list) or not all(isinstance(command, dict) for command in commands):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _check_command(command)
        key = _commands_key(params)
        if commands:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: Params) -> list[JSON]:
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    def _get_chat(self, params: Params) -> JSON:
        chat = self._readable_chat(params)
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)
        return chat.to_api() | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def _get_chat_member(self, params: Params) -> JSON:
        chat = self._readable_chat(params)
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request("invalid user_id specified")
        if user_id == self.bot_id:
            return _chat_member(self.bot_user, "administrator" if chat.bot_is_admin else "member", chat)
        if user_id not in self._users:
            raise bad_request("user not found")
        if chat.user is not None:
            status = "member" if chat.id == user_id else "left"
        else:
            status = "administrator" if user_id in chat.admins else "member" if user_id in chat.members else "left"
        return _chat_member(self._users[user_id].to_api(), status, chat)

    def _create_forum_topic(self, params: Params) -> JSON:
        chat = self._writable_chat(params)
        if not chat.forum:
            raise bad_request("the chat is not a forum")
        if not chat.bot_is_admin:
            raise bad_request("not enough rights to create a topic")
        name = params.string("name")
        if name is None:
            raise bad_request('parameter "name" is required')
        topic: JSON = {"name": name, "icon_color": params.integer("icon_color") or DEFAULT_ICON_COLOR}
        if emoji := params.string("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = emoji
        service = self._new_message(chat, self.bot_user, {"forum_topic_created": topic}, None, None)
        thread = service["message_id"]
        service |= {"message_thread_id": thread, "is_topic_message": True}
        chat.topics[thread] = name
        return {"message_thread_id": thread} | topic

    # --- chats and people, internally --------------------------------------------------

    def _chat_param(self, params: Params) -> FakeChat:
        raw = params.get("chat_id")
        if raw is None:
            raise bad_request("chat_id is empty")
        try:
            chat = self._chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None  # an @username: the fake's chats have none
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _readable_chat(self, params: Params) -> FakeChat:
        chat = self._chat_param(params)
        if chat.bot_kicked:
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        return chat

    def _writable_chat(self, params: Params) -> FakeChat:
        chat = self._readable_chat(params)
        if chat.user is not None and chat.user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if chat.user is not None and not chat.user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def _user(self, user_id: int) -> FakeUser:
        if user_id not in self._users:
            raise LookupError(f"add_user({user_id}, ...) first")
        return self._users[user_id]

    def _known_chat(self, chat_id: int) -> FakeChat:
        if chat_id not in self._chats:
            raise LookupError(f"no chat {chat_id}: add_user or add_group first")
        return self._chats[chat_id]

    def _group(self, chat_id: int) -> FakeChat:
        chat = self._known_chat(chat_id)
        if chat.user is not None:
            raise ValueError(f"chat {chat_id} is a private chat")
        return chat

    def _chat_of(self, user: FakeUser, chat_id: int | None) -> FakeChat:
        """The chat a person acts in: their private chat with the bot, or a group they are in."""
        if chat_id is None or chat_id == user.id:
            return self._chats[user.id]
        chat = self._group(chat_id)
        if user.id not in chat.members:
            raise ValueError(f"user {user.id} is not a member of chat {chat_id}")
        return chat

    def _message(self, chat: FakeChat, message_id: int) -> JSON:
        if message_id not in chat.messages:
            raise LookupError(f"no message {message_id} in chat {chat.id}")
        return chat.messages[message_id]

    def _user_content(self, text: str | None, photo: bool, document: str | None, voice: bool, sticker: bool,
                      caption: str | None) -> JSON:
        present = {"text": text is not None, "photo": photo, "document": document is not None,
                   "voice": voice, "sticker": sticker}
        kinds = [kind for kind, is_present in present.items() if is_present]
        if len(kinds) != 1:
            raise ValueError("a message carries exactly one of text, photo, document, voice, sticker")
        if text is not None and not text.strip():
            raise ValueError("Telegram delivers no empty messages")
        if caption is not None and kinds[0] in ("text", "sticker"):
            raise ValueError("only photos, documents and voice notes have captions")
        if text is not None:
            return {"text": text} | _command_entities(text)
        media = self._new_file(kinds[0], file_name=document, size=48_000)
        return {kinds[0]: media.api} | ({"caption": caption} if caption else {})

    def _user_writes_to_bot(self, user: FakeUser, chat: FakeChat) -> None:
        """Writing to the bot starts it, and unblocks it (Telegram's Restart button sends /start)."""
        if user.blocked_bot:
            user.blocked_bot = False
            self._queue_my_chat_member(chat, user.to_api(), "kicked", "member")
        user.started = True

    # --- the update queue --------------------------------------------------------------

    def _queue_from(self, chat: FakeChat, kind: str, payload: JSON) -> None:
        """Queues an update, unless the bot is no longer in the chat to see it."""
        if not chat.bot_kicked:
            self._queue(kind, payload)

    def _queue(self, kind: str, payload: JSON) -> None:
        allowed = self._allowed_updates
        if (kind in OPT_IN_UPDATE_TYPES) if allowed is None else (kind not in allowed):
            return
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self._history[update_id] = update
        self._pending.append(PendingUpdate(update))
        self._updates_changed()

    def _queue_my_chat_member(self, chat: FakeChat, actor: JSON, old: str, new: str) -> None:
        self._queue("my_chat_member", {
            "chat": chat.to_api(), "from": actor, "date": int(time.time()),
            "old_chat_member": _chat_member(self.bot_user, old, chat),
            "new_chat_member": _chat_member(self.bot_user, new, chat),
        })

    def _updates_changed(self) -> None:
        self._wake_pollers()
        self._webhook_wakeup.set()

    def _wake_pollers(self) -> None:
        loop = self._server.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._updates_event.set)


# --- helpers -----------------------------------------------------------------------------

def _inline_markup(params: Params) -> JSON | None:
    """The inline keyboard to echo in the Message, checked like Telegram checks it; other
    markups (reply keyboards, ForceReply) are accepted but, as on Telegram, not echoed."""
    markup = params.structure("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            _check_button(button)
    return {"inline_keyboard": rows}


def _force_reply(params: Params) -> JSON | None:
    """A ForceReply markup (not echoed in the Message, as on Telegram), checked like Telegram does."""
    markup = params.structure("reply_markup", "reply keyboard markup")
    if not isinstance(markup, dict) or "force_reply" not in markup:
        return None
    if markup["force_reply"] is not True:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if len(str(markup.get("input_field_placeholder", ""))) > 64:
        raise bad_request("input field placeholder is too long")
    return dict(markup)


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if not BUTTON_ACTIONS & button.keys():
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


def _pressed_data(message: JSON, button: int | str) -> str:
    buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    if isinstance(button, int):
        chosen = buttons[button] if 0 <= button < len(buttons) else None
    else:
        chosen = next((b for b in buttons if b.get("callback_data") == button), None)
    if chosen is None:
        raise LookupError(f"message {message['message_id']} has no button {button!r}")
    if "callback_data" not in chosen:
        raise ValueError(f"button {chosen['text']!r} sends no callback query")
    return chosen["callback_data"]


def _content(message: JSON) -> tuple[Any, ...]:
    """What an edit can change; an edit that changes none of it is refused."""
    return tuple(message.get(key) for key in ("text", "entities", "caption", "caption_entities", "reply_markup"))


def _chat_member(user: JSON, status: str, chat: FakeChat) -> JSON:
    member: JSON = {"status": status, "user": user}
    if status == "administrator":
        member |= ADMIN_RIGHTS | ({"can_manage_topics": True} if chat.forum else {})
    if status == "kicked":
        member["until_date"] = 0
    return member


def _check_command(command: JSON) -> None:
    if not isinstance(command.get("command"), str) or not COMMAND_NAME.fullmatch(command["command"]):
        raise bad_request("BOT_COMMAND_INVALID")
    description = command.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.structure("scope", "bot command scope") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse bot command scope JSON object")
    name = ":".join([scope["type"], *(str(scope[key]) for key in ("chat_id", "user_id") if key in scope)])
    return name, params.string("language_code") or ""


def _check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.hostname in LOCAL_HOSTS and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _post_update(client: httpx.Client, webhook: Webhook, update: JSON) -> str | None:
    """Posts one update; returns why it failed, in the words of getWebhookInfo, or None."""
    if urlsplit(webhook.url).hostname not in LOCAL_HOSTS:
        return "the fake Telegram posts only to 127.0.0.1 and localhost"
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.secret_token} if webhook.secret_token else {}
    try:
        response = client.post(webhook.url, json=update, headers=headers)
    except httpx.HTTPError as error:
        return f"Connection failed: {error}"
    if 200 <= response.status_code < 300:
        return None
    return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
