"""The README's first minute: `youthbot` with no token, `/as admin`, `/login`, open the link, signed in."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.console_client import CSRF, LINK
from tests.test_migrate_lock import free_port
from tests.test_web import example_config


def opened(browser: httpx.Client, link: str) -> httpx.Response:
    """The web server starts in a thread beside the chat: it may still be binding its port."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return browser.get(link)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # polling with a deadline


def test_the_console_chat_hands_out_a_link_into_the_web_console(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    example_config(database_url, port, tmp_path)
    console = subprocess.Popen([str(Path(sys.executable).with_name("youthbot")), "--config", "config.toml"],
                               cwd=tmp_path, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        assert console.stdin is not None and console.stdout is not None
        console.stdin.write("/as admin\n/login\n")
        console.stdin.flush()
        link = None
        for line in console.stdout:  # the bot's answer comes line by line; the process ends at end of input
            if found := LINK.search(line):
                link = found.group(0)
                break
        assert link and link.startswith(f"http://127.0.0.1:{port}/console/login/")
        with httpx.Client() as browser:
            page = opened(browser, link)
            token = CSRF.search(page.text)
            assert page.status_code == 200 and token
            signed = browser.post(link, data={"csrf": token.group(1)}, follow_redirects=True)
            assert signed.status_code == 200 and str(signed.url) == f"http://127.0.0.1:{port}/console/"
            assert re.search(r'action="/console/logout"', signed.text)  # the signed-in header
        console.stdin.close()
        assert console.wait(30) == 0
    finally:
        if console.poll() is None:
            console.kill()
