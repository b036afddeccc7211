"""The browser fixtures shared by every Chromium test (registered in ``tests/conftest.py``): one
headless Debian Chromium per module, a fresh phone-sized page per test. The modules that use them
skip (or, in CI, fail) when Chromium is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")  # type: ignore[attr-defined]
    pg = context.new_page()  # a cheap phone
    yield pg
    context.close()
