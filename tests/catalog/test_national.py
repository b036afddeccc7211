"""Reading the national portal's catalog: what is parsed, and what is reported instead of guessed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from motcua.catalog.national import (
    import_national,
    parse_fee,
    parse_legal_basis,
    parse_results,
    parse_time_limit,
    read_national,
)
from motcua.catalog.national_documents import read_documents, split_row

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
    table = read_documents(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký khai sinh theo mẫu"
        "Tờ khai.docx1 bản chínhGiấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của "
        "người làm chứng.1 bản chính,1 bản sao- Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị "
        "bỏ rơi.1 bản chính* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Hộ chiếu hoặc thẻ "
        "Căn cước.1 bản chính* Lưu ý:Tên giấy tờMẫu đơn, tờ khaiSố lượngNgười tiếp nhận không được yêu cầu nộp "
        "thêm giấy tờ.0 bản chính"
    )
    assert table.problems == []
    assert [(d.section, d.name, d.originals, d.copies, d.form, d.condition) for d in table.documents] == [
        ("submit", "Tờ khai đăng ký khai sinh theo mẫu", 1, 0, "Tờ khai.docx", None),
        ("submit", "Giấy chứng sinh", 1, 1, None, None),
        ("submit", "Biên bản về việc trẻ bị bỏ rơi", 1, 0, None, "trẻ em bị bỏ rơi"),
        ("show", "Hộ chiếu hoặc thẻ Căn cước", 1, 0, None, None),
        ("note", "Người tiếp nhận không được yêu cầu nộp thêm giấy tờ", 0, 0, None, None),
    ]
    # What follows the name is folded under it, and nothing of the row is lost.
    birth = table.documents[1]
    assert birth.notes == ["Trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng."]
    assert "người làm chứng" in birth.text
    results = parse_results("Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tin")
    assert [(r.name, r.code) for r in results] == [("Giấy khai sinh", "KQ.G15.000031")]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # A case first, then what it asks for.
        (
            "Trường hợp khai sinh cho trẻ em sinh ra do mang thai hộ phải có văn bản xác nhận của cơ sở y tế.",
            ("Văn bản xác nhận của cơ sở y tế", "khai sinh cho trẻ em sinh ra do mang thai hộ", []),
        ),
        # A case after the name, in brackets.
        (
            "- Tờ khai theo mẫu (nếu người có yêu cầu nộp hồ sơ trực tiếp);",
            ("Tờ khai theo mẫu", "người có yêu cầu nộp hồ sơ trực tiếp", []),
        ),
        # The official form it follows, then a remark.
        (
            "Văn bản đề nghị theo Mẫu số 01 Phụ lục I ban hành kèm theo Nghị định số 144/2025/NĐ-CP. Nộp bản chính.",
            (
                "Văn bản đề nghị theo Mẫu số 01 Phụ lục I ban hành kèm theo Nghị định số 144/2025/NĐ-CP",
                None,
                ["Nộp bản chính."],
            ),
        ),
    ],
)
def test_a_row_splits_into_name_case_and_remarks(row: str, expected: tuple[str, str | None, list[str]]) -> None:
    assert split_row(row) == expected


def test_what_cannot_be_structured_is_reported() -> None:
    assert read_documents("Hồ sơ gồm đơn và bản sao giấy tờ.").problems == ["no document table found in the text"]
    trailing = read_documents("Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn1 bản chínhGiấy tờ khác chưa rõ số lượng")
    assert [d.name for d in trailing.documents] == ["Đơn"]
    assert trailing.problems == ["text after the last document not understood: 'Giấy tờ khác chưa rõ số lượng'"]


def test_fee_conditions_are_kept_apart_from_the_amount() -> None:
    fee, problem = parse_fee(
        "150,000 Việt Nam Đồng(- Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)", "online"
    )
    assert (fee.amount_vnd, fee.set_by_province, problem) == (150_000, True, None)
    assert fee.conditions == "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định."
    free, problem = parse_fee("Miễn phí", "online")
    assert (free.free, free.conditions, problem) == (True, "", None)


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
