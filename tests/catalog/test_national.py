"""Reading the national portal's catalog: what is parsed, and what is reported instead of guessed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from motcua.catalog.national import (
    import_national,
    parse_documents,
    parse_fee,
    parse_legal_basis,
    parse_results,
    parse_time_limit,
    read_national,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "procedures"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Ngày làm việc", (15, "working_days", None)),
        ("20 Ngày", (20, "days", None)),
        ("0,5 Ngày làm việc", (0.5, "working_days", None)),
        ("8 Giờ", (8, "hours", None)),
        ("3 Tháng", (3, "months", None)),
    ],
)
def test_time_limits_with_units(text: str, expected: tuple[object, ...]) -> None:
    assert parse_time_limit(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1", "has no unit"),
        ("Không có thông tin", "no time limit"),
        ("", "no time limit"),
        ("theo quy định", "not understood"),
    ],
)
def test_time_limits_that_cannot_be_read_are_reported_not_guessed(text: str, problem: str) -> None:
    amount, kind, reported = parse_time_limit(text)
    assert amount is None and kind == "unknown" and reported is not None and problem in reported


def test_fees() -> None:
    fee, problem = parse_fee(
        "150,000 Việt Nam Đồng(- Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định)", "online"
    )
    assert (fee.amount_vnd, fee.free, fee.set_by_province, problem) == (150000, False, True, None)
    fee, problem = parse_fee("Miễn phí", "in_person")
    assert fee.free and fee.amount_vnd is None and problem is None
    fee, problem = parse_fee("Miễn phí(Lệ phí 8.000 đồng/bản)", None)
    assert fee.free and problem == "says free but also gives an amount"
    fee, problem = parse_fee("Không có thông tin", None)
    assert problem == "no fee information"


def test_legal_basis_numbers_are_cut_from_their_glued_titles() -> None:
    text = (
        "Tên văn bản pháp lýMã văn bảnLuật sửa đổi Luật Doanh nghiệp 202076/2025/QH15Thông tư số 68/2025/TT-BTC"
        "68/2025/TT-BTCNghị định 07/2025/NĐ-CP280/2025/NĐ-CPQuyết định 1234/QĐ-TTg"
    )
    assert [d.number for d in parse_legal_basis(text)] == [
        "76/2025/QH15",
        "68/2025/TT-BTC",
        "07/2025/NĐ-CP",
        "280/2025/NĐ-CP",
        "1234/QĐ-TTg",
    ]


def test_documents_and_results() -> None:
    docs = parse_documents(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký khai sinh"
        "Tờ khai.docx1 bản chínhGiấy chứng sinh1 bản chính,1 bản sao"
    )
    assert [(d.name, d.originals, d.copies, d.form) for d in docs] == [
        ("Tờ khai đăng ký khai sinhTờ khai.docx", 1, 0, "Tờ khai đăng ký khai sinhTờ khai.docx"),
        ("Giấy chứng sinh", 1, 1, None),
    ]
    results = parse_results("Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tin")
    assert [(r.name, r.code) for r in results] == [("Giấy khai sinh", "KQ.G15.000031")]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside the checkout")
def test_the_full_national_set_reads_with_every_problem_reported() -> None:
    result = import_national(SHARED / "tthc_national_2026_details.jsonl.gz")
    assert len(result.records) == 2642 and len({r.code for r in result.records}) == 2642
    levels = Counter(r.versions[0].level for r in result.records)
    raw = list(read_national(SHARED / "tthc_national_2026_details.jsonl.gz"))
    assert levels["commune"] == sum("Cấp xã" in r["cap_thuc_hien"] for r in raw)
    assert levels["province"] == sum(
        "Cấp tỉnh" in r["cap_thuc_hien"] and "Cấp xã" not in r["cap_thuc_hien"] for r in raw
    )
    assert levels["central"] == sum(
        "Cấp bộ" in r["cap_thuc_hien"] and "Cấp tỉnh" not in r["cap_thuc_hien"] and "Cấp xã" not in r["cap_thuc_hien"]
        for r in raw
    )
    # Each draft is explained by an issue on the same record.
    drafted = {r.code for r in result.records if r.versions[0].status == "draft"}
    explained = {i.code for i in result.issues if i.field == "version"}
    assert drafted == explained and 0 < len(drafted) < 2642
    no_unit = [i for i in result.issues if "has no unit" in i.problem]
    assert len(no_unit) >= 700  # SOURCES.md: 757 channel rows have a number with no unit
    birth = next(r for r in result.records if r.code == "1.001193")
    assert birth.versions[0].status == "draft"  # its time limit is "1", without a unit


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside the checkout")
def test_shipped_demo_catalog_is_rebuilt_identically_from_the_national_data() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_demo_catalog.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
