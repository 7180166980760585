"""The channels this product runs: one line each. Adding a platform is one module under
`bot/channels/`, its fake and tests, and its line here (docs/architecture.md).

The settings are read for the registered channels: each contributes its table to the strict
validation (`core/config.py`), so these are the loaders the program and the tests use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.channels import console
from bot.channels.base import Channel
from bot.channels.telegram import channel as telegram
from bot.channels.zalo_bot import channel as zalo_bot
from bot.channels.zalo_oa import channel as zalo_oa
from core import config
from core.config import Settings

CHANNELS: tuple[Channel, ...] = (
    telegram.CHANNEL,
    zalo_bot.CHANNEL,
    zalo_oa.CHANNEL,
    console.CHANNEL,
)


def load_settings(path: str | Path, overrides: Mapping[str, Any] | None = None,
                  channels: Sequence[Channel] = CHANNELS) -> Settings:
    """Read and validate a TOML file; `overrides` replace top-level tables (tests use it)."""
    return config.read_settings(path, [channel.section for channel in channels], overrides)


def parse_settings(data: Mapping[str, Any], base_dir: Path = Path("."),
                   channels: Sequence[Channel] = CHANNELS) -> Settings:
    return config.parse_settings(data, [channel.section for channel in channels], base_dir)


def known_keys(channels: Sequence[Channel] = CHANNELS) -> list[str]:
    return config.known_keys([channel.section for channel in channels])
