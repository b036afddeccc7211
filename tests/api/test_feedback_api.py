"""The feedback API: a citizen files and follows their message; the agency's officials classify,
answer and publish it; strangers and other units are refused; public tracking shows no personal
data; bad input is named field by field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api_fixtures import h

NEW = {
    "about": "agency",
    "about_ref": "26740.UBND",
    "title": "Đèn đường hỏng",
    "body": "Đèn đường trước số 12 Lê Lợi hỏng đã hai tuần; liên hệ 0901234567.",
    "sender": {"name": "Nguyễn Văn An", "address": "12 Lê Lợi", "phone": "0901234567", "show_name": False},
    "commune_code": "26740",
}


def _step(c: TestClient, api: dict[str, Any], who: str, code: str, step: str, **payload: Any) -> Any:
    return c.post(f"/api/v1/feedback/{code}/transitions/{step}", json=payload, headers=h(api, who))


def test_a_message_from_filing_to_the_published_answer(api: dict[str, Any]) -> None:
    c: TestClient = api["client"]
    filed = c.post("/api/v1/feedback", json=NEW, headers=h(api, "citizen", **{"Idempotency-Key": "fb-1"}))
    assert filed.status_code == 201, filed.text
    m = filed.json()
    code = m["code"]
    assert code.startswith("PAKN.") and m["agency"] == "26740.UBND" and m["stage"] == "classify"
    again = c.post("/api/v1/feedback", json=NEW, headers=h(api, "citizen", **{"Idempotency-Key": "fb-1"}))
    assert again.json()["code"] == code  # a retried filing is the same message
    assert code in [x["code"] for x in c.get("/api/v1/feedback", headers=h(api, "citizen")).json()["items"]]
    queue = c.get("/api/v1/feedback?view=new", headers=h(api, "officer")).json()["items"]
    assert code in [x["code"] for x in queue]
    for who in ("stranger", "other", "other_officer", "other_supervisor"):
        assert c.get(f"/api/v1/feedback/{code}", headers=h(api, who)).status_code == 404, who
        assert code not in [x["code"] for x in c.get("/api/v1/feedback", headers=h(api, who)).json()["items"]]
    assert _step(c, api, "other", code, "accept").status_code in (403, 404)
    assert _step(c, api, "citizen", code, "accept").status_code == 403
    assert c.get(f"/api/v1/feedback/{code}", headers=h(api, "supervisor")).status_code == 200

    assert _step(c, api, "officer", code, "accept").json()["status"] == "handling"
    drafted = _step(c, api, "officer", code, "draft_answer", answer="Đã thay bóng đèn ngày 10/6.")
    assert drafted.json()["status"] == "answer_drafted"
    assert _step(c, api, "officer", code, "approve_answer").status_code == 403  # the leader approves
    assert _step(c, api, "leader", code, "approve_answer").json()["status"] == "answer_approved"
    published = _step(c, api, "officer", code, "publish")
    assert published.json()["status"] == "published"

    tracked = c.get(f"/api/v1/public/feedback/{code.lower()}").json()
    assert tracked["answer"] == "Đã thay bóng đèn ngày 10/6." and tracked["sender"] is None
    text = str(tracked)
    assert "0901234567" not in text and "Nguyễn Văn An" not in text and "12 Lê Lợi" not in text
    listed = c.get("/api/v1/public/feedback", params={"q": "den duong hong", "province": "79", "limit": 200}).json()
    assert code in [a["code"] for a in listed["items"]] and "0901234567" not in str(listed)
    # The same under the names: GET /api/v1/feedback/{code} without a token is the public view.
    public = c.get(f"/api/v1/feedback/{code}")
    assert public.status_code == 200 and public.json() == tracked and "0901234567" not in public.text
    assert c.get("/api/v1/feedback/PAKN.19990101.0001").status_code == 404
    searched = c.get("/api/v1/feedback/published", params={"q": "den duong hogn", "province": "79", "limit": 200})
    assert code in [a["code"] for a in searched.json()["items"]]  # a typo, no accents
    assert _step(c, api, "citizen", code, "rate", value="satisfied").json()["rating"] == "satisfied"
    refused = _step(c, api, "citizen", code, "request_reopen", reason="Vẫn hỏng")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "rated_satisfied"


def test_bad_filings_and_steps_get_clear_errors(api: dict[str, Any]) -> None:
    c: TestClient = api["client"]
    bad = c.post(
        "/api/v1/feedback",
        json={**NEW, "title": "x", "sender": {**NEW["sender"], "phone": "12"}},
        headers=h(api, "citizen"),
    )
    assert bad.status_code == 422
    problems = " ".join(bad.json()["error"]["details"]["problems"])
    assert "title:" in problems and "sender.phone:" in problems
    officer_online = c.post("/api/v1/feedback", json={**NEW, "channel": "online"}, headers=h(api, "officer"))
    assert officer_online.status_code == 422
    assert "channel:" in " ".join(officer_online.json()["error"]["details"]["problems"])
    by_phone = c.post("/api/v1/feedback", json={**NEW, "channel": "phone"}, headers=h(api, "reception"))
    assert by_phone.status_code == 201  # a call at the centre, entered by its officer
    code = by_phone.json()["code"]
    no_reason = _step(c, api, "leader", code, "decline", kind="abusive")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "reason_required"
    unknown = _step(c, api, "leader", code, "fly")
    assert unknown.status_code == 404
    elsewhere = _step(c, api, "leader", code, "forward", agency="NO.SUCH", reason="Không thuộc thẩm quyền")
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]["code"] == "unknown_agency"
    assert c.get("/api/v1/public/feedback/PAKN.19990101.0001").status_code == 404


def test_files_sent_with_feedback_follow_the_dossiers_rules(api: dict[str, Any]) -> None:
    from motcua.dossiers.attachments import MAX_BYTES

    c: TestClient = api["client"]
    code = c.post("/api/v1/feedback", json=NEW, headers=h(api, "citizen")).json()["code"]
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    sent = c.post(
        f"/api/v1/feedback/{code}/attachments",
        files={"file": ("anh.png", photo, "image/png")},
        headers=h(api, "citizen"),
    )
    assert sent.status_code == 201 and sent.json()["content_type"] == "image/png", sent.text
    again = c.post(
        f"/api/v1/feedback/{code}/attachments",
        files={"file": ("anh.png", photo, "image/png")},
        headers=h(api, "citizen"),
    )
    assert again.json()["id"] == sent.json()["id"]  # a retry is the same file
    for bad, error in ((b"MZ" + b"\x00" * 10, "attachment_type"), (b"%PDF" + b"0" * MAX_BYTES, "attachment_too_large")):
        refused = c.post(
            f"/api/v1/feedback/{code}/attachments", files={"file": ("x.pdf", bad, "application/pdf")},
            headers=h(api, "citizen"),
        )  # fmt: skip
        assert refused.status_code == 422 and refused.json()["error"]["code"] == error
    listed = c.get(f"/api/v1/feedback/{code}/attachments", headers=h(api, "officer")).json()
    assert [f["name"] for f in listed] == ["anh.png"]
    file_id = listed[0]["id"]
    for who in ("citizen", "officer"):
        got = c.get(f"/api/v1/feedback/{code}/attachments/{file_id}", headers=h(api, who))
        assert got.status_code == 200 and got.content == photo and got.headers["cache-control"] == "private, no-store"
    for who in ("stranger", "other_officer"):
        assert c.get(f"/api/v1/feedback/{code}/attachments/{file_id}", headers=h(api, who)).status_code == 404, who
        assert c.get(f"/api/v1/feedback/{code}/attachments", headers=h(api, who)).status_code == 404, who
    sneaky = c.post(
        f"/api/v1/feedback/{code}/attachments", files={"file": ("b.png", photo + b"1", "image/png")},
        headers=h(api, "stranger"),
    )  # fmt: skip
    assert sneaky.status_code == 404
    assert "anh.png" not in c.get(f"/api/v1/public/feedback/{code}").text  # never public
