"""Why an action called on plain inputs (from a chat, the command line, a web page) was not done."""

from __future__ import annotations


class Refused(Exception):
    """A catalogue key and its values: each surface says it in its own way; nothing was changed."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values
