"""Feedback on the command line: filed with an old address converted, forwarded, accepted, shown
(public and to the agency), listed as due; bad input refused with every problem named."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from motcua import db
from motcua.accounts.service import create_user
from motcua.catalog import agencies, service
from motcua.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'feedback.sqlite3'}"
    db.upgrade(url)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        service.load_demo(s)
        agencies.generate(s, date.today())
        create_user(s, "fb-citizen", "citizen", personal_id="079123456789")
        create_user(s, "fb-leader", "leader", unit_code="26740.UBND")
        create_user(s, "fb-other-leader", "leader", unit_code="26737.UBND")
    return url


def _run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["feedback", *args, "--url", url])
    return result.exit_code, result.output


def test_file_forward_accept_show_and_due(url: str) -> None:
    sender = ["--name", "Trần Thị Bình", "--address", "5 Lê Lợi", "--phone", "0901234567"]
    # An address before the reorganisation: Phường Bến Nghé, Quận 1 is in Phường Sài Gòn (26740) today.
    old_address = "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
    code, out = _run(
        url, "submit", "--as", "fb-citizen", "--about", "regulation", "--title", "Lòng đường bị chiếm",
        "--body", "Lòng đường trước chợ bị chiếm dụng buổi sáng.", "--place", old_address, *sender,
    )  # fmt: skip
    assert code == 0, out
    tracking, status, _, agency, _, due = out.split()
    assert tracking.startswith("PAKN.") and status == "received" and agency == "26740.UBND" and due
    code, out = _run(url, "act", tracking, "forward", "--as", "fb-leader", "--agency", "26737.UBND", "--reason", "x")
    assert code == 0 and "at 26737.UBND" in out, out
    code, out = _run(url, "act", tracking, "accept", "--as", "fb-leader")
    assert code == 1 and "not_found" in out  # no longer theirs
    code, out = _run(url, "act", tracking, "accept", "--as", "fb-other-leader")
    assert code == 0 and "handling" in out and "stage handle" in out, out
    code, out = _run(url, "show", tracking)
    public = json.loads(out)
    assert public["status"] == "handling" and public["sender"] is None and "0901234567" not in out
    code, out = _run(url, "show", tracking, "--as", "fb-other-leader")
    seen = json.loads(out)
    assert seen["sender"]["phone"] == "0901234567" and "draft_answer" in seen["allowed_steps"]
    code, out = _run(url, "due", "--as", "fb-other-leader", "--days", "30")
    assert code == 0 and tracking in out and out.strip().endswith("1 message(s)")


def test_bad_input_names_every_problem_and_files_nothing(url: str) -> None:
    code, out = _run(
        url, "submit", "--as", "fb-citizen", "--about", "dossier", "--title", "x", "--body", "short",
        "--name", "", "--address", "a", "--phone", "12", "--place", "Xã Không Có, Tỉnh Nào",
    )  # fmt: skip
    assert code == 1
    for field in ("place_address", "about_ref", "title", "body", "sender.name", "sender.phone"):
        assert f"- {field}:" in out, (field, out)
    code, out = _run(url, "due", "--as", "fb-leader", "--days", "30")
    assert out.strip().endswith("0 message(s)")
