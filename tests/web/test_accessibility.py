"""Every page in real Chromium, checked by axe-core (WCAG 2.1 A and AA rules; axe-playwright-python
carries it): no serious or critical violation, on a phone and a desktop — public pages, the
citizen's, the officials' and the administrator's. And in Vietnamese,
no English word and no raw identifier in what the page shows."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua import db
from motcua.accounts.service import create_user
from tests.web.test_browser import OFFICIAL_PASSWORD, SCREENSHOTS, SERVER_HOME, _serve, sign_in, submit_dossier

pytestmark = pytest.mark.slow
from playwright.sync_api import Page  # noqa: E402

PUBLIC = [
    "/",
    "/procedures",
    "/procedures?q=khai+sinh",
    "/procedures/1.001612",
    "/procedures/1.001193?address=12+L%C3%AA+L%E1%BB%A3i%2C+P.+B%E1%BA%BFn+Ngh%C3%A9%2C+Q.1%2C+TP.HCM",
    "/procedures?page=2",
    "/track",
    "/track?code=NOT-A-CODE",
    "/address?q=12+L%C3%AA+L%E1%BB%A3i%2C+P.+B%E1%BA%BFn+Ngh%C3%A9%2C+Q.1%2C+TP.HCM",
    "/feedback",
    "/feedback/answers",
    "/dashboard",
    "/dashboard/79",
    "/signin",
    "/activate",
    "/no-such-page",
]
CITIZEN = [
    "/dossiers/new/1.001612",
    "/dossiers/new/1.001193",
    "/my/dossiers",
    "/my/documents",
    "/feedback/new",
    "/my/dossiers/{code}",
]
RECEPTION = ["/work/dossiers/{code}"]  # with its panel to digitise paper components
LEADER = [
    "/work",
    "/work?view=to_sign",
    "/inbox",
    "/work/feedback",
    "/supervision",
    "/work/dossiers/{code}",
    "/dashboard/79?commune=26740",
]
ADMIN = [
    "/admin/officials",
    "/admin/import/centres",
    "/admin/import/catalog",
    "/admin/import/posts",
    "/admin/exchange",
    "/supervision/audit",
    "/staff",
    "/staff/79",
    "/staff/79?role=reception_officer",
]
# Words that are English and no Vietnamese syllable; a Vietnamese page that shows one is untranslated.
ENGLISH_WORDS = """
the and of for with from this that your you are not page error success important menu submit sign
required property dossier procedure status track feedback nothing here back home next previous
search show download found agency official queue received working none true false null undefined
skip content language main views pages open overdue soon history message messages step steps
reason answer file files attached documents declaration applicant address convert province
"""
ENGLISH = set(ENGLISH_WORDS.split())
ALLOWED_WORDS = "API CSV JSON PDF JPEG PNG SMS Zalo VNeID motcua Email Français English"
ALLOWED = set(ALLOWED_WORDS.split())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        for base in _serve(tmp_path_factory.mktemp("a11y-portal"), stack):
            url = f"sqlite:///{SERVER_HOME[base] / 'motcua.sqlite3'}"
            with db.transaction(db.session_factory(db.make_engine(url))) as s:
                create_user(s, "quan-tri", "admin", full_name="Quản trị", password=OFFICIAL_PASSWORD)
            yield base


def _problems(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Injected by the browser's devtools protocol: the page's CSP does not apply to it.
    rules = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    result = Axe().run(page, options={**rules, "resultTypes": ["violations"]}).response
    return [
        f"{v['impact']} {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _untranslated(page: Page) -> list[str]:
    # What the page shows, less its <code> (a file's column names, a command: written as they must be typed).
    text = page.evaluate(
        "() => { const b = document.body.cloneNode(true);"
        " b.querySelectorAll('code, script, style').forEach(e => e.remove()); return b.innerText; }"
    )
    words = re.findall(r"[\w().{}:'-]+", text)
    found = [w for w in words if w.lower().strip("().:'") in ENGLISH and w not in ALLOWED]
    found += [w for w in words if re.fullmatch(r"[a-z]+_[a-z_]+|\(root\)|\{.*|.*\}", w)]  # raw identifiers
    return sorted(set(found))


def _walk(page: Page, server: str, paths: list[str], code: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            target = path.format(code=code)
            page.goto(f"{server}{target}{'&' if '?' in target else '?'}lang=vi")
            found = _problems(page)
            if width == 390:
                found += [f"English or raw text: {w}" for w in _untranslated(page)]
            if found:
                problems[f"{target} at {width}px"] = found
    return problems


def _screenshots(page: Page, server: str, paths: dict[str, str]) -> None:
    """The design on a phone and a desktop, in each language (looked at by a person, kept in docs/)."""
    for width, height, device in ((390, 844, "phone"), (1280, 900, "desktop")):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            for lang in ("vi", "fr", "en"):
                page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
                page.screenshot(path=str(SCREENSHOTS / f"design-{name}-{device}-{lang}.png"), full_page=True)


def test_every_page_passes_axe_and_speaks_vietnamese(server: str, page: Page, tmp_path: Path) -> None:
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    code = submit_dossier(page, server, (SERVER_HOME[server] / "centre").read_text(), scan)
    problems = _walk(page, server, PUBLIC, code)
    _screenshots(page, server, {"home": "/", "procedure": "/procedures/1.001612"})
    sign_in(page, server, "/")
    problems |= _walk(page, server, CITIZEN, code)
    sign_in(page, server, "/", user="tiep-nhan")
    problems |= _walk(page, server, RECEPTION, code)
    sign_in(page, server, "/", user="chu-tich")
    problems |= _walk(page, server, LEADER, code)
    _screenshots(page, server, {"queue": "/work"})
    sign_in(page, server, "/", user="quan-tri")
    problems |= _walk(page, server, ADMIN, code)
    assert not problems, "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())
