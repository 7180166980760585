"""Uploaded question files kept on the server between the preview and the confirmation.

The browser holds only a random upload id; the file's name on disk is an HMAC of the signed-in
session's id and that id, so another session (or a forged id) finds nothing, and the rows the admin
confirms are exactly those read from the file that was previewed. Confirming *claims* the file (an
atomic rename), so two presses of the button import once; a failed import gives the file back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

MAX_AGE_SECONDS = 24 * 3600  # an upload not confirmed within a day is swept at the next upload
ID = re.compile(r"[A-Za-z0-9_-]{20,40}")
CLAIMED = "-claimed"


@dataclass(frozen=True)
class UploadMeta:
    """What the preview was made of, besides the rows: shown again on confirmation, never sent back."""

    file_name: str
    suffix: str  # ".xlsx" or ".csv": what the reader reads
    source: str


@dataclass(frozen=True)
class Upload:
    meta: UploadMeta
    folder: Path
    stem: str
    claimed: bool = False

    @property
    def path(self) -> Path:
        """The file as uploaded, under its own suffix (the reader goes by it), claimed or not."""
        return self.folder / f"{self.stem}{CLAIMED if self.claimed else ''}{self.meta.suffix}"


@dataclass(frozen=True)
class UploadStore:
    folder: Path
    key: bytes

    def put(self, session_id: str, content: bytes, meta: UploadMeta) -> str:
        """Keep `content` for this session; the id to name it by in the next form."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        upload_id = secrets.token_urlsafe(18)
        stem = self._stem(session_id, upload_id)
        (self.folder / f"{stem}{meta.suffix}").write_bytes(content)
        (self.folder / f"{stem}.json").write_text(json.dumps(asdict(meta)), encoding="utf-8")
        return upload_id

    def get(self, session_id: str, upload_id: str) -> Upload | None:
        """This session's upload of that id, unless it was confirmed (claimed) or swept."""
        if not ID.fullmatch(upload_id):
            return None
        stem = self._stem(session_id, upload_id)
        try:
            meta = UploadMeta(**json.loads((self.folder / f"{stem}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        upload = Upload(meta, self.folder, stem)
        return upload if upload.path.is_file() else None

    def claim(self, upload: Upload) -> Upload | None:
        """Take the upload for an import: only one request wins the rename; the others get None."""
        claimed = replace(upload, claimed=True)
        try:
            os.rename(upload.path, claimed.path)
        except FileNotFoundError:
            return None
        return claimed

    def release(self, claimed: Upload) -> None:
        """The import failed: the same upload may be confirmed again."""
        os.rename(claimed.path, replace(claimed, claimed=False).path)

    def discard(self, upload: Upload) -> None:
        """Imported (or unreadable): the file and its description are gone, so the id imports nothing."""
        upload.path.unlink(missing_ok=True)
        (self.folder / f"{upload.stem}.json").unlink(missing_ok=True)

    def _stem(self, session_id: str, upload_id: str) -> str:
        return hmac.new(self.key, f"upload:{session_id}:{upload_id}".encode(), hashlib.sha256).hexdigest()[:40]

    def _sweep(self) -> None:
        oldest = time.time() - MAX_AGE_SECONDS
        for path in self.folder.iterdir():
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except OSError:
                continue  # another process swept it first
