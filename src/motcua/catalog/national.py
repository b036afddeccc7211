"""Read the national procedure catalog as published on the National Public Service Portal
(``../shared/data/procedures``) into catalog records, reporting every field it cannot parse.

The portal's tables were flattened into run-on text; this reader takes what is unambiguous and
reports the rest (a time limit without its unit, a fee that says "free" and gives an amount, a
document table it cannot split) instead of guessing. A version that then lacks a legal component
stays a draft and is never routed.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from motcua.catalog.national_documents import read_documents
from motcua.catalog.records import (
    ApplicantType,
    Channel,
    ChannelSpec,
    FeeSpec,
    LegalDocument,
    Level,
    ProcedureRecord,
    ResultSpec,
    TimeLimitKind,
    VersionRecord,
    missing_components,
)

TWO_LEVEL_START = date(2025, 7, 1)
LEVELS: dict[str, Level] = {"Cấp bộ": "central", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other"}
CHANNELS: dict[str, Channel] = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
UNITS: dict[str, TimeLimitKind] = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours", "tháng": "months"}
AGENCY_BY_LEVEL = {
    "commune": "commune_people_committee",
    "province": "provincial_department",
    "central": "ministry",
    "other": "other",
}
NO_INFO = {"", "không có thông tin"}

TIME_LIMIT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ|tháng)?\s*$", re.IGNORECASE)
MONEY = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:Việt Nam Đồng|VNĐ|VND|đồng)", re.IGNORECASE)
# A number like 76/2025/QH15 or 123/2015/NĐ-CP. The flattened text glues it to its title, which
# may end in a year ('Luật Doanh nghiệp 2020' + '76/2025/QH15') and to the next title's capital.
LEGAL_NUMBER = re.compile(
    r"(?:(?<!\d)|(?<=(?:19|20)\d\d))\d{1,4}/(?:\d{4}/)?[A-ZĐ]+(?:\d+(?!\d*/))?(?:-(?:TTg|[A-ZĐ]+(?:\d+(?!\d*/))?))*(?![a-zà-ỹđ])"
)
RESULT = re.compile(r"(.+?)Mã:\s*(KQ[\w.]+)")


@dataclass(frozen=True)
class Issue:
    code: str
    field: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "problem": self.problem}


@dataclass
class NationalImport:
    records: list[ProcedureRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def drafts(self) -> int:
        return sum(1 for r in self.records if r.versions[-1].status == "draft")


def read_national(path: Path) -> Iterator[dict[str, Any]]:
    """The raw records of a details file (JSON Lines, optionally gzip) or subset file (JSON array),
    their text in Unicode's composed form (the portal mixes decomposed letters such as "Thẻ" written
    e + a combining hook, which would not match, fold or display alike)."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield _composed(json.loads(line))
    elif path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield _composed(json.loads(line))
    else:
        yield from (_composed(r) for r in json.loads(path.read_text(encoding="utf-8")))


def _composed(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_composed(v) for v in value]
    if isinstance(value, dict):
        return {k: _composed(v) for k, v in value.items()}
    return value


def parse_time_limit(text: str) -> tuple[float | None, TimeLimitKind, str | None]:
    """'15 Ngày làm việc' → (15, 'working_days', None); '1' → (None, 'unknown', problem)."""
    clean = " ".join(text.split())
    if clean.lower() in NO_INFO:
        return None, "unknown", "no time limit given"
    m = TIME_LIMIT.match(clean)
    if not m:
        return None, "unknown", f"time limit not understood: {clean[:80]!r}"
    amount = float(m.group(1).replace(",", "."))
    if m.group(2) is None:
        return None, "unknown", f"time limit {clean!r} has no unit (days? working days?)"
    return amount, UNITS[m.group(2).lower()], None


def fee_conditions(text: str) -> str:
    """What the portal says about a fee beyond its amount: the bracketed explanation after it, or the
    rest of the text after the amount."""
    opening = text.find("(")
    if opening >= 0:
        depth, end = 0, len(text)
        for i in range(opening, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i
                break
        return " ".join(text[opening + 1 : end].split()).strip(" -")
    m = MONEY.search(text)
    rest = text[m.end() :] if m else ""
    return " ".join(rest.split()).strip(" -.;,")


def parse_fee(text: str, channel: Channel | None) -> tuple[FeeSpec, str | None]:
    clean = " ".join(text.split())
    lower = clean.lower()
    by_province = "hội đồng nhân dân" in lower or "hđnd" in lower
    if lower in NO_INFO or lower.startswith("không có thông tin"):
        return FeeSpec(channel=channel, text=clean), "no fee information"
    amounts = [int(re.sub(r"[.,]", "", m.group(1))) for m in MONEY.finditer(clean)]
    conditions = fee_conditions(clean)
    if lower.startswith("miễn phí"):
        problem = None
        if any(a > 0 for a in amounts):
            problem = "says free but also gives an amount"
        spec = FeeSpec(channel=channel, free=True, set_by_province=by_province, text=clean, conditions=conditions)
        return spec, problem
    if amounts:
        spec = FeeSpec(
            channel=channel, amount_vnd=amounts[0], set_by_province=by_province, text=clean, conditions=conditions
        )
        return spec, None
    spec = FeeSpec(channel=channel, set_by_province=by_province, text=clean, conditions=conditions or clean)
    return spec, f"fee not understood: {clean[:80]!r}"


def parse_legal_basis(text: str) -> list[LegalDocument]:
    body = text.replace("Tên văn bản pháp lýMã văn bản", "")
    docs: list[LegalDocument] = []
    last = 0
    seen: set[str] = set()
    for m in LEGAL_NUMBER.finditer(body):
        title = " ".join(body[last : m.start()].split())
        last = m.end()
        number = m.group(0)
        if number not in seen:
            seen.add(number)
            docs.append(LegalDocument(number=number, title=title[:400]))
    return docs


def parse_results(text: str) -> list[ResultSpec]:
    body = re.split(r"Từ khóa", text)[0]
    found = [
        ResultSpec(name=" ".join(m.group(1).split()).strip(" .,"), code=m.group(2).rstrip("."))
        for m in RESULT.finditer(body)
    ]
    if not found and body.strip() and body.strip().lower() not in NO_INFO:
        found = [ResultSpec(name=" ".join(body.split())[:400])]
    return found


def parse_applicants(text: str) -> list[ApplicantType]:
    lower = text.lower()
    found: list[ApplicantType] = []
    if "công dân" in lower or "người việt nam" in lower or "cá nhân" in lower:
        found.append("citizen")
    if "doanh nghiệp" in lower or "hộ kinh doanh" in lower:
        found.append("business")
    if "tổ chức" in lower or "hợp tác xã" in lower or "cơ quan" in lower:
        found.append("organisation")
    if "người nước ngoài" in lower:
        found.append("foreigner")
    return found


def primary_level(levels: list[Level]) -> Level:
    """The level that decides for a person: the commune where it is listed, then the province."""
    order: tuple[Level, ...] = ("commune", "province", "central", "other")
    for level in order:
        if level in levels:
            return level
    return "other"


def to_record(raw: dict[str, Any], issues: list[Issue]) -> ProcedureRecord:
    code = str(raw["ma_thu_tuc"]).strip()

    def note(field_name: str, problem: str) -> None:
        issues.append(Issue(code, field_name, problem))

    levels: list[Level] = [
        LEVELS[x.strip()] for x in str(raw.get("cap_thuc_hien", "")).split(",") if x.strip() in LEVELS
    ]
    if not levels:
        note("cap_thuc_hien", f"level not understood: {raw.get('cap_thuc_hien')!r}")
    level = primary_level(levels)
    if len(levels) > 1:
        note("cap_thuc_hien", f"several levels {levels}; routed at the {level} level")

    channels: list[ChannelSpec] = []
    fees: list[FeeSpec] = []
    for row in raw.get("cach_thuc_thuc_hien_parsed") or []:
        channel = CHANNELS.get(str(row.get("hinh_thuc", "")).strip())
        if channel is None:
            note("cach_thuc_thuc_hien", f"channel not understood: {row.get('hinh_thuc')!r}")
            continue
        amount, kind, problem = parse_time_limit(str(row.get("thoi_han", "")))
        if problem:
            note(f"thoi_han[{channel}]", problem)
        fee, fee_problem = parse_fee(str(row.get("phi_le_phi", "")), channel)
        if fee_problem:
            note(f"phi_le_phi[{channel}]", fee_problem)
        channels.append(
            ChannelSpec(
                channel=channel,
                time_limit=amount,
                time_limit_kind=kind,
                time_limit_text=str(row.get("thoi_han", "")).strip(),
                fee_text=fee.text,
            )
        )
        fees.append(fee)
    if not channels:
        note("cach_thuc_thuc_hien", "no channel table could be read")
    main = next((c for c in channels if c.channel == "in_person"), channels[0] if channels else None)
    if main and {(c.time_limit, c.time_limit_kind) for c in channels} != {(main.time_limit, main.time_limit_kind)}:
        note("thoi_han", "time limits differ by channel; the in-person one is the version's")

    table = read_documents(str(raw.get("thanh_phan_ho_so", "")))
    documents = table.documents
    for problem in table.problems:
        note("thanh_phan_ho_so", problem)
    if not documents:
        note("thanh_phan_ho_so", "no document could be read from the flattened table")
    applicants = parse_applicants(str(raw.get("doi_tuong_thuc_hien", "")))
    if not applicants:
        note("doi_tuong_thuc_hien", f"applicants not understood: {str(raw.get('doi_tuong_thuc_hien'))[:80]!r}")
    online_offered = any(c.channel == "online" for c in channels)
    unverified = ["valid_from", "result_type"] + (["online"] if online_offered else [])
    version = VersionRecord(
        number=1,
        valid_from=TWO_LEVEL_START,
        name_vi=" ".join(str(raw.get("ten_thu_tuc", "")).split()),
        level=level,
        levels=[str(x) for x in levels],
        agency_type=AGENCY_BY_LEVEL[level],
        applicant_types=applicants,
        time_limit=main.time_limit if main else None,
        time_limit_kind=main.time_limit_kind if main else "unknown",
        time_limit_text=main.time_limit_text if main else "",
        channels=channels,
        fees=fees,
        documents=documents,
        steps=str(raw.get("trinh_tu_thuc_hien", "")).strip(),
        online=None if online_offered else "none",
        results=parse_results(str(raw.get("ket_qua_xu_ly", ""))),
        legal_basis=parse_legal_basis(str(raw.get("can_cu_phap_ly", ""))),
        announcing_decision=str(raw.get("so_quyet_dinh", "")).strip(),
        source=f"National Public Service Portal, June 2026: {raw.get('detail_url', '')}",
        unverified=unverified,
        notes="Validity start set to 1 July 2025 (two-level government); the portal does not give it.",
    )
    missing = missing_components(version)
    if missing:
        note("version", f"kept as a draft, lacks: {', '.join(missing)}")
    else:
        version.status = "published"
    return ProcedureRecord(
        code=code,
        code_is_national=True,
        ministry=str(raw.get("bo_nganh", "")),
        field=str(raw.get("linh_vuc", "")).strip(),
        versions=[version],
    )


def import_national(path: Path) -> NationalImport:
    result = NationalImport()
    seen: set[str] = set()
    for raw in read_national(path):
        code = str(raw.get("ma_thu_tuc", "")).strip()
        if not code:
            result.issues.append(Issue("?", "ma_thu_tuc", "record without a procedure code, skipped"))
            continue
        if code in seen:
            result.issues.append(Issue(code, "ma_thu_tuc", "duplicate code, later record skipped"))
            continue
        seen.add(code)
        result.records.append(to_record(raw, result.issues))
    return result
