"""The contract's test battery, run against any provincial implementation over HTTP, as the national
node would speak to it (``motcua exchange conformance URL``). Each check says what the contract asks,
what came back, and what to change; every check runs even when an earlier one fails.

It creates one test dossier at the target (a delivery under a reference starting with ``CONF-``):
run it against a test instance of the provincial system, whose registry holds the battery's key as
the national member's.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from joserfc.jwk import OKPKey

from motcua.exchange.contract import VERSION
from motcua.exchange.inbox import contract_errors
from motcua.exchange.node import NATIONAL
from motcua.exchange.signing import new_key, sign

DELIVER, CATALOG = "/exchange/v1/dossiers", "/exchange/v1/catalog"
FEEDBACK = "/exchange/v1/feedback"

# A delivery the demo catalog and Hồ Chí Minh City accept; a vendor passes its own with --sample.
SAMPLE: dict[str, Any] = {
    "procedureCode": "1.001612",
    "channel": "online",
    "applicant": {"kind": "citizen", "idNumber": "079123456789", "name": "Nguyễn Văn Kiểm Thử"},
    "subjectCommuneCode": "26740",
    "form": {
        "business_name": "Hộ kinh doanh Kiểm Thử",
        "business_address": "1 Lê Lợi, Phường Sài Gòn",
        "activities": ["Bán lẻ"],
        "capital_vnd": 10_000_000,
    },
}


@dataclass
class CheckResult:
    number: int
    name: str
    request: str
    expected: str
    passed: bool
    got: str
    fix: str


@dataclass
class Report:
    target: str
    member: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def text(self) -> str:
        lines = [f"motcua exchange conformance (contract {VERSION}) — {self.target}, speaking as {self.member}", ""]
        for r in self.results:
            lines.append(f"{'PASS' if r.passed else 'FAIL'}  {r.number:>2}. {r.name}")
            lines.append(f"        {r.request}: expected {r.expected}")
            if not r.passed:
                lines.append(f"        got: {r.got}")
                lines.append(f"        fix: {r.fix}")
        failed = sum(not r.passed for r in self.results)
        lines += ["", f"{len(self.results) - failed} passed, {failed} failed"]
        return "\n".join(lines)


def _describe(response: httpx.Response) -> str:
    body = response.text[:300].replace("\n", " ")
    return f"HTTP {response.status_code} {response.headers.get('content-type', '-')}: {body}"


def _json(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


class Battery:
    def __init__(
        self,
        base_url: str,
        key: OKPKey,
        client: httpx.Client,
        member: str = NATIONAL,
        province: str | None = None,
        sample: dict[str, Any] | None = None,
    ) -> None:
        self.base_url, self.key, self.client, self.member = base_url.rstrip("/"), key, client, member
        self.province = province
        self.sample = copy.deepcopy(sample or SAMPLE)
        self.report = Report(self.base_url, member)
        self.dossier_code: str | None = None

    # -- plumbing -----------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        signed_body: bytes | None = None,
        key: OKPKey | None = None,
        member: str | None = None,
        message_id: str | None = None,
        now: float | None = None,
        unsigned: bool = False,
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if body else {}
        if not unsigned:
            headers |= sign(
                key or self.key,
                member or self.member,
                method,
                path,
                body if signed_body is None else signed_body,
                message_id=message_id,
                now=now,
            )
        return self.client.request(method, self.base_url + path, content=body or None, headers=headers, timeout=30)

    def _check(self, name: str, request: str, expected: str, fix: str, run: Callable[[], tuple[bool, str]]) -> bool:
        try:
            passed, got = run()
        except httpx.HTTPError as exc:
            passed, got = False, f"no answer ({exc.__class__.__name__}: {exc})"
        self.report.results.append(CheckResult(len(self.report.results) + 1, name, request, expected, passed, got, fix))
        return passed

    def _delivery(self, reference: str | None = None) -> bytes:
        body = {
            **self.sample,
            "reference": reference or f"CONF-{uuid.uuid4().hex[:12].upper()}",
            "submittedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return orjson.dumps(body)

    def _refused(self, response: httpx.Response, statuses: tuple[int, ...]) -> tuple[bool, str]:
        data = _json(response)
        problem_ok = (
            response.headers.get("content-type", "").startswith("application/problem+json")
            and data is not None
            and not contract_errors("Problem", data)
        )
        return response.status_code in statuses and problem_ok, _describe(response)

    # -- the battery ------------------------------------------------------------------------------

    def run(self) -> Report:
        self._health()
        self._signatures()
        self._delivery_checks()
        self._feedback_checks()
        self._look_up()
        self._catalog()
        self._stores()
        return self.report

    def _stores(self) -> None:
        """The holders' stores are read by the national node only, signed (fetchStoredDocument)."""
        self._check(
            "stored document unsigned refused",
            "GET /exchange/v1/store/1 without the Motcua-* headers",
            "401 problem+json",
            "verify the signature before reading a store (contract: fetchStoredDocument)",
            lambda: self._refused(self._send("GET", "/exchange/v1/store/1", unsigned=True), (401,)),
        )
        self._check(
            "unknown stored document",
            "GET /exchange/v1/store/999999999999, signed as the national node",
            "404 problem+json",
            "answer 404 with a Problem body for a document your stores do not hold (contract: fetchStoredDocument)",
            lambda: self._refused(self._send("GET", "/exchange/v1/store/999999999999"), (404,)),
        )

    def _health(self) -> None:
        def run() -> tuple[bool, str]:
            r = self.client.get(self.base_url + "/exchange/v1/health", timeout=10)
            data = _json(r)
            errors = contract_errors("Health", data) if data is not None else ["not JSON"]
            member_ok = self.province is None or (data or {}).get("member") == f"province-{self.province}"
            major_ok = str((data or {}).get("contract", "")).split(".")[0] == VERSION.split(".")[0]
            return r.status_code == 200 and not errors and member_ok and major_ok, _describe(r)

        expected_member = f"province-{self.province}" if self.province else "the member's identifier"
        self._check(
            "health",
            "GET /exchange/v1/health",
            f"200 with the Health schema, member {expected_member}, contract {VERSION.split('.')[0]}.x",
            "serve /exchange/v1/health without signature: {member, contract, time} (contract: health)",
            run,
        )

    def _signatures(self) -> None:
        body = self._delivery()
        fix_sign = (
            "verify Motcua-Signature against the sender's registered key before anything else (contract: Signing)"
        )
        self._check(
            "unsigned delivery refused",
            "POST /exchange/v1/dossiers without the Motcua-* headers",
            "401 with a problem+json body (Problem schema)",
            fix_sign,
            lambda: self._refused(self._send("POST", DELIVER, body, unsigned=True), (401,)),
        )
        self._check(
            "delivery signed by another key refused",
            "POST /exchange/v1/dossiers signed as national with an unregistered key",
            "401 problem+json",
            fix_sign,
            lambda: self._refused(self._send("POST", DELIVER, body, key=new_key()), (401,)),
        )
        self._check(
            "unknown member refused",
            "POST /exchange/v1/dossiers signed as province-99 (not registered)",
            "401 or 403 problem+json",
            "refuse senders missing from the member registry (contract: Signing)",
            lambda: self._refused(self._send("POST", DELIVER, body, key=new_key(), member="province-99"), (401, 403)),
        )
        self._check(
            "stale message refused",
            "POST /exchange/v1/dossiers signed one hour ago",
            "401 problem+json",
            "refuse a Motcua-Timestamp more than 300 s away from your clock (contract: Signing)",
            lambda: self._refused(self._send("POST", DELIVER, body, now=time.time() - 3600), (401,)),
        )
        self._check(
            "tampered body refused",
            "POST /exchange/v1/dossiers whose body differs from the one signed",
            "401 problem+json",
            "compute the SHA-256 of the body as received and check it is the one signed (contract: Signing)",
            lambda: self._refused(self._send("POST", DELIVER, body, signed_body=self._delivery()), (401,)),
        )

    def _delivery_checks(self) -> None:
        invalid = orjson.loads(self._delivery())
        del invalid["applicant"]

        def run_invalid() -> tuple[bool, str]:
            r = self._send("POST", DELIVER, orjson.dumps(invalid))
            passed, got = self._refused(r, (400,))
            named = any("applicant" in str(e) for e in (_json(r) or {}).get("errors", []))
            return passed and named, got

        self._check(
            "invalid delivery refused with its place",
            "POST /exchange/v1/dossiers without `applicant`",
            "400 problem+json whose `errors` name `applicant`",
            "validate the body against DossierDelivery and list each problem with its location (contract: Invalid)",
            run_invalid,
        )
        body, message_id = self._delivery(), str(uuid.uuid4())
        first: dict[str, Any] = {}

        def run_deliver() -> tuple[bool, str]:
            r = self._send("POST", DELIVER, body, message_id=message_id)
            data = _json(r) or {}
            first.update(data)
            self.dossier_code = data.get("dossierCode")
            ok = r.status_code == 201 and not contract_errors("Ack", data) and bool(data.get("dossierCode"))
            return ok and data.get("messageId") == message_id and data.get("duplicate") is False, _describe(r)

        accepted = self._check(
            "delivery accepted",
            "POST /exchange/v1/dossiers, valid and signed",
            "201 with an Ack: messageId echoed, duplicate false, the dossierCode given by the province",
            "create the dossier and answer 201 {messageId, duplicate: false, dossierCode} (contract: deliverDossier)",
            run_deliver,
        )

        def run_duplicate() -> tuple[bool, str]:
            r = self._send("POST", DELIVER, body, message_id=message_id)
            data = _json(r) or {}
            same = data.get("dossierCode") == first.get("dossierCode")
            return r.status_code == 200 and data.get("duplicate") is True and same, _describe(r)

        self._check(
            "duplicate message has no second effect",
            "the same message again (same Motcua-Message-Id and body)",
            "200 with duplicate true and the same dossierCode",
            "keep an inbox of (sender, message id) with the first answer; answer it again (contract: Delivery)",
            run_duplicate if accepted else lambda: (False, "skipped: the delivery was not accepted"),
        )
        self._check(
            "message id reused with another body refused",
            "the same Motcua-Message-Id with another body",
            "401 problem+json",
            "refuse a message id already processed from that member with a different body (contract: Signing)",
            lambda: self._refused(self._send("POST", DELIVER, self._delivery(), message_id=message_id), (401,)),
        )
        reference = orjson.loads(body)["reference"]
        self._check(
            "no dossier without its files",
            "POST /exchange/v1/dossiers listing a file the battery does not serve, then a look-up of its reference",
            "a 4xx or 5xx problem+json (503 to be retried), and no dossier under that reference (404)",
            "fetch every listed document (signed GET to the sender, fetchDocument) and check its sha256 before "
            "accepting; accept nothing when a file is missing",
            self._run_missing_file,
        )

        def run_same_reference() -> tuple[bool, str]:
            again = orjson.loads(self._delivery(reference))
            r = self._send("POST", DELIVER, orjson.dumps(again))
            data = _json(r) or {}
            return r.status_code in (200, 201) and data.get("dossierCode") == first.get("dossierCode"), _describe(r)

        self._check(
            "same reference, one dossier",
            "a new message delivering the same reference",
            "200 or 201 with the same dossierCode (no second dossier)",
            "remember the references delivered; answer with the dossier already made (DossierDelivery.reference)",
            run_same_reference if accepted else lambda: (False, "skipped: the delivery was not accepted"),
        )

    def _feedback(self, reference: str | None = None) -> bytes:
        number = uuid.uuid4().int % 1000 + 9000  # the battery's own numbers (PAKN.YYYYMMDD.9NNN)
        now = datetime.now(UTC)
        body = {
            "reference": reference or f"PAKN.{now:%Y%m%d}.{number:04d}",
            "filedAt": now.isoformat(timespec="seconds"),
            "about": "regulation",
            "communeCode": self.sample["subjectCommuneCode"],
            "title": "Kiểm thử: đèn đường hỏng",
            "body": "Thông điệp kiểm thử của bộ kiểm tra tuân thủ: đèn đường trước số 12 hỏng.",
            "language": "vi",
            "sender": {"name": "Người kiểm thử", "address": "12 Lê Lợi", "phone": "0901234567", "showName": False},
        }
        return orjson.dumps(body)

    def _feedback_checks(self) -> None:
        invalid = orjson.loads(self._feedback())
        del invalid["sender"]

        def run_invalid() -> tuple[bool, str]:
            r = self._send("POST", FEEDBACK, orjson.dumps(invalid))
            passed, got = self._refused(r, (400,))
            return passed and any("sender" in str(e) for e in (_json(r) or {}).get("errors", [])), got

        self._check(
            "invalid feedback refused with its place",
            "POST /exchange/v1/feedback without `sender`",
            "400 problem+json whose `errors` name `sender`",
            "validate the body against FeedbackDelivery and list each problem with its location (contract: Invalid)",
            run_invalid,
        )
        body, message_id = self._feedback(), str(uuid.uuid4())
        first: dict[str, Any] = {}

        def run_deliver() -> tuple[bool, str]:
            r = self._send("POST", FEEDBACK, body, message_id=message_id)
            data = _json(r) or {}
            first.update(data)
            ok = r.status_code == 201 and not contract_errors("Ack", data) and bool(data.get("feedbackCode"))
            return ok and data.get("messageId") == message_id and data.get("duplicate") is False, _describe(r)

        accepted = self._check(
            "feedback delivery accepted",
            "POST /exchange/v1/feedback, valid and signed",
            "201 with an Ack: messageId echoed, duplicate false, the feedbackCode given by the province",
            "file the message as received online and answer 201 {messageId, duplicate: false, feedbackCode} "
            "(contract: deliverFeedback)",
            run_deliver,
        )

        def run_duplicate() -> tuple[bool, str]:
            r = self._send("POST", FEEDBACK, body, message_id=message_id)
            data = _json(r) or {}
            same = data.get("feedbackCode") == first.get("feedbackCode")
            return r.status_code == 200 and data.get("duplicate") is True and same, _describe(r)

        self._check(
            "duplicate feedback has no second effect",
            "the same feedback message again (same Motcua-Message-Id and body)",
            "200 with duplicate true and the same feedbackCode",
            "keep an inbox of (sender, message id) with the first answer; answer it again (contract: Delivery)",
            run_duplicate if accepted else lambda: (False, "skipped: the feedback was not accepted"),
        )

        def run_same_reference() -> tuple[bool, str]:
            r = self._send("POST", FEEDBACK, self._feedback(orjson.loads(body)["reference"]))
            data = _json(r) or {}
            return r.status_code in (200, 201) and data.get("feedbackCode") == first.get("feedbackCode"), _describe(r)

        self._check(
            "same national code, one message",
            "a new message delivering the same national code",
            "200 or 201 with the same feedbackCode (no second message)",
            "remember the national codes delivered; answer with the message already made (FeedbackDelivery.reference)",
            run_same_reference if accepted else lambda: (False, "skipped: the feedback was not accepted"),
        )

        def run_no_files() -> tuple[bool, str]:
            reference = orjson.loads(body)["reference"]
            r = self._send(
                "POST", f"{FEEDBACK}/{reference}/documents", orjson.dumps({"reference": reference, "documents": []})
            )
            passed, got = self._refused(r, (400,))
            return passed and any("documents" in str(e) for e in (_json(r) or {}).get("errors", [])), got

        self._check(
            "invalid feedback files refused with their place",
            "POST /exchange/v1/feedback/{reference}/documents with an empty `documents`",
            "400 problem+json whose `errors` name `documents`",
            "validate the body against DocumentsAdded, at least one document (contract: addFeedbackDocuments)",
            run_no_files,
        )

    def _run_missing_file(self) -> tuple[bool, str]:
        data = orjson.loads(self._delivery())
        digest = "0" * 64
        data["documents"] = [
            {
                "name": "missing.pdf",
                "sha256": digest,
                "size": 1024,
                "contentType": "application/pdf",
                "path": f"/exchange/v1/documents/{data['reference']}/{digest}",
            }
        ]
        r = self._send("POST", DELIVER, orjson.dumps(data))
        refused, got = self._refused(r, (400, 403, 404, 409, 422, 502, 503))
        lookup = self._send("GET", f"/exchange/v1/dossiers/{data['reference']}")
        return refused and lookup.status_code == 404, f"{got}; look-up: HTTP {lookup.status_code}"

    def _look_up(self) -> None:
        def run_found() -> tuple[bool, str]:
            if not self.dossier_code:
                return False, "skipped: no dossier was delivered"
            path = f"/exchange/v1/dossiers/{self.dossier_code}"
            r = self._send("GET", path)
            data = _json(r) or {}
            ok = r.status_code == 200 and not contract_errors("DossierStatus", data)
            return ok and data.get("code") == self.dossier_code and data.get("lastSequence", 0) >= 1, _describe(r)

        self._check(
            "look-up of the delivered dossier",
            "GET /exchange/v1/dossiers/{dossierCode}, signed",
            "200 with the DossierStatus schema, the same code, lastSequence ≥ 1",
            "answer with the dossier's status, national status code and the sequence of its last change",
            run_found,
        )
        unknown = f"/exchange/v1/dossiers/CONF-UNKNOWN-{uuid.uuid4().hex[:8]}"
        self._check(
            "look-up of an unknown dossier",
            "GET /exchange/v1/dossiers/CONF-UNKNOWN-…, signed",
            "404 problem+json",
            "answer 404 with a Problem body for a code you do not hold",
            lambda: self._refused(self._send("GET", unknown), (404,)),
        )
        self._check(
            "unsigned look-up refused",
            "GET /exchange/v1/dossiers/{code} without signature",
            "401 problem+json",
            "look-ups are signed like every other message (contract: Signing)",
            lambda: self._refused(self._send("GET", unknown, unsigned=True), (401,)),
        )

    def _catalog(self) -> None:
        def run_invalid() -> tuple[bool, str]:
            r = self._send("PUT", CATALOG, orjson.dumps({"revision": 0, "procedures": []}))
            passed, got = self._refused(r, (400,))
            return passed and "revision" in str((_json(r) or {}).get("errors", "")), got

        self._check(
            "invalid catalog refused",
            "PUT /exchange/v1/catalog with revision 0",
            "400 problem+json naming /revision",
            "validate the body against Catalog (revision ≥ 1) (contract: synchroniseCatalog)",
            run_invalid,
        )

        def run_catalog() -> tuple[bool, str]:
            r = self._send("PUT", CATALOG, orjson.dumps({"revision": 1, "procedures": []}))
            data = _json(r) or {}
            return r.status_code == 200 and not contract_errors("Ack", data), _describe(r)

        self._check(
            "catalog synchronised",
            "PUT /exchange/v1/catalog, revision 1, no procedure",
            "200 with an Ack",
            "apply (or acknowledge an already applied revision) and answer 200 (contract: synchroniseCatalog)",
            run_catalog,
        )
