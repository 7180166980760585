"""The one `Content-Disposition` of every named console download (RFC 6266 with RFC 5987)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def attachment(name: str) -> str:
    """`attachment` with the name in UTF-8 (`filename*`) and, for browsers that read only `filename`, the same
    name without diacritics ("Báo cáo.docx" → "Bao cao.docx"), whatever else is not printable ASCII as `_`."""
    return f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_fallback(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in folded if not unicodedata.combining(c) and c not in '"\\')
    return "".join(c if " " <= c <= "~" else "_" for c in bare)
