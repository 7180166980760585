"""Evidence files a unit uploads with a nomination on the console: what is accepted, checked on the bytes.

The type is read from the file's first bytes, never from its name or the browser's word, and only three
kinds are kept: photos (JPEG, PNG) and PDF. They are stored in the database and only ever downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.refused import Refused

MAX_FILES = 5
MAX_BYTES = 5 * 1024 * 1024  # per file
MAGIC = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
         (b"%PDF-", "application/pdf", ".pdf"))
NAME_LENGTH = 120


@dataclass(frozen=True)
class Upload:
    """One file as the form gave it: `data` holds at most MAX_BYTES + 1 bytes (more were not read)."""

    file_name: str
    data: bytes


@dataclass(frozen=True)
class Evidence:
    file_name: str
    mime_type: str
    data: bytes

    @property
    def kind(self) -> str:
        return "photo" if self.mime_type.startswith("image/") else "document"


def checked(uploads: list[Upload]) -> list[Evidence]:
    """The uploads as evidence, or Refused naming the first file that is too big or of another type."""
    uploads = [u for u in uploads if u.file_name or u.data]  # the browser sends an empty part for no file
    if len(uploads) > MAX_FILES:
        raise Refused("evidence_too_many", count=MAX_FILES)
    return [_one(upload) for upload in uploads]


def _one(upload: Upload) -> Evidence:
    name = safe_name(upload.file_name)
    if len(upload.data) > MAX_BYTES:
        raise Refused("evidence_too_big", name=name, megabytes=MAX_BYTES // (1024 * 1024))
    kind = next(((mime, suffix) for magic, mime, suffix in MAGIC if upload.data.startswith(magic)), None)
    if kind is None or not upload.data:
        raise Refused("evidence_wrong_type", name=name)
    mime, suffix = kind
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return Evidence(f"{stem or 'minh-chung'}{suffix}", mime, upload.data)


def safe_name(file_name: str) -> str:
    """The name's last path part, without control characters or quotes, and not too long."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:*?|;')
    return name.strip(" .")[:NAME_LENGTH] or "minh-chung"
