"""Address conversion: every style people write, splits, dates, bad input."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.units.address import MAX_INPUT_CHARS, convert_address
from motcua.units.text import fold

TODAY = date(2026, 11, 24)


def convert(text: str, at: date = TODAY) -> dict:  # type: ignore[type-arg]
    return convert_address(text, at).to_dict()


# Phường 2, Quận 5, TP.HCM → Phường Chợ Quán (27301), written in every style.
@pytest.mark.parametrize(
    "text",
    [
        "123 Nguyễn Trãi, Phường 2, Quận 5, Thành phố Hồ Chí Minh",
        "123 Nguyen Trai, Phuong 2, Quan 5, Thanh pho Ho Chi Minh",
        "123 NGUYỄN TRÃI, PHƯỜNG 2, QUẬN 5, THÀNH PHỐ HỒ CHÍ MINH",
        "123 Nguyễn Trãi, P.2, Q.5, TP.HCM",
        "123 Nguyễn Trãi, P2, Q5, TPHCM",
        "123 Nguyễn Trãi, F2, Q5, HCM",
        "123 Nguyễn Trãi, p. 02, q. 05, tp. hồ chí minh",
        "123 Nguyễn Trãi Phường 2 Quận 5 Hồ Chí Minh",
        "123 Nguyễn Trãi, P.2, Q.5, TP.HCM, Việt Nam",
        "123 Nguyễn Trãi, P.2, Q.5, TP.HCM 700000",
    ],
)
def test_styles_of_the_same_address(text: str) -> None:
    r = convert(text)
    assert (r["status"], r["commune_code"], r["province_code"]) == ("converted", "27301", "79"), r
    assert fold(r["street"]) == "123 nguyen trai"
    assert r["formatted"] == f"{r['street']}, Phường Chợ Quán, Thành phố Hồ Chí Minh"
    assert r["old"]["district_name"] == "Quận 5" and r["old"]["commune_name"] == "Phường 2"


def test_street_part_is_kept_verbatim() -> None:
    r = convert("Số 7, ngõ 21 Trần Phú, Phường Trúc Bạch, Quận Ba Đình, Hà Nội")
    assert r["street"] == "Số 7, ngõ 21 Trần Phú"
    assert r["formatted"] == "Số 7, ngõ 21 Trần Phú, Phường Ba Đình, Thành phố Hà Nội"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("thôn 3, Đặng Xá, Gia Lâm, Hà Nội", None),  # missing type words (split commune: see below)
        ("Trúc Bạch, Ba Đình, Hà Nội", "00004"),
        ("xa Yen Minh, huyen Yen Minh, Ha Giang", "00820"),  # a province that no longer exists
        ("X. Yên Minh, H. Yên Minh, T. Hà Giang", "00820"),
        ("TT. Trâu Quỳ, H. Gia Lâm, TP. Hà Nội", None),
        ("P. Linh Trung, TP. Thủ Đức, TP. HCM", None),
    ],
)
def test_missing_type_words_and_abbreviations(text: str, code: str | None) -> None:
    r = convert(text)
    assert r["status"] in ("converted", "ambiguous"), r
    if code:
        assert r["commune_code"] == code


def test_district_level_names_that_no_longer_exist_are_read_and_dropped() -> None:
    r = convert("Phường 12, Quận Gò Vấp, TP.HCM")
    assert r["status"] == "converted" and r["province_code"] == "79"
    assert "Quận" not in r["formatted"] and "Gò Vấp" not in r["formatted"].split(",")[-1]


def test_names_from_earlier_mergers() -> None:
    # Quận 9 became part of Thủ Đức city in 2021; the address still says Quận 9.
    r = convert("Phường Long Thạnh Mỹ, Quận 9, TP.HCM")
    assert r["old"]["district_name"] == "Thành phố Thủ Đức"
    assert {c["code"] for c in r["candidates"]} == {"26833", "26842"}  # split between two wards
    # Quận 3's wards were merged and renumbered in 2023: Phường 10 went into Phường 9.
    r = convert("P10, Q3, TP.HCM")
    assert r["old"]["commune_name"] == "Phường 9" and r["status"] == "converted"


def test_small_typos_are_corrected_and_said_so() -> None:
    r = convert("Xã Đặng Xáa, Huyện Gia Lâm, Hà Nội")
    assert r["status"] == "ambiguous" and "spelling corrected" in r["reason"]
    r = convert("Phường Trúc Bạc, Quận Ba Đình, Hà Nội")
    assert (r["status"], r["commune_code"]) == ("converted", "00004")


def test_split_commune_is_ambiguous_with_all_successors_never_a_guess() -> None:
    r = convert("thôn 3, Xã Đặng Xá, Huyện Gia Lâm, Thành phố Hà Nội")
    assert r["status"] == "ambiguous" and r["commune_code"] is None and r["formatted"] is None
    assert {c["code"] for c in r["candidates"]} == {"00541", "00562"}
    assert {c["name"] for c in r["candidates"]} == {"Xã Phù Đổng", "Xã Thuận An"}
    r = convert("Xã Cổ Bi, Gia Lâm, Hà Nội")
    assert {c["code"] for c in r["candidates"]} == {"00136", "00541", "00565"}


def test_conversion_never_uses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert convert("Xã Cổ Bi, Gia Lâm, Hà Nội")["status"] == "ambiguous"


def test_address_already_in_the_two_level_form_is_unchanged() -> None:
    r = convert("12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh")
    assert (r["status"], r["commune_code"], r["old"]) == ("unchanged", "26740", None)
    r = convert("phuong ngoc ha, ha noi")
    assert (r["status"], r["commune_code"]) == ("unchanged", "00008")


def test_old_ward_with_its_district_is_read_as_old() -> None:
    r = convert("Phường Ngọc Hà, Quận Ba Đình, Hà Nội")
    assert r["status"] == "ambiguous" and {c["code"] for c in r["candidates"]} == {"00004", "00008"}


def test_reclassified_unit_gets_the_name_in_force_at_the_date() -> None:
    before = convert("Xã Phước An, Huyện Nhơn Trạch, Tỉnh Đồng Nai", date(2026, 1, 1))
    after = convert("Xã Phước An, Huyện Nhơn Trạch, Tỉnh Đồng Nai", date(2026, 6, 1))
    assert before["commune_code"] == after["commune_code"]
    assert before["province_name"] == "Tỉnh Đồng Nai" and after["province_name"] == "Thành phố Đồng Nai"
    r_before = convert("Xã Nhơn Trạch, Đồng Nai", date(2026, 1, 1))
    r_after = convert("Xã Nhơn Trạch, Đồng Nai", date(2026, 6, 1))
    assert r_before["commune_name"] == "Xã Nhơn Trạch" and r_after["commune_name"] == "Phường Nhơn Trạch"


def test_homonyms_are_told_apart_by_diacritics_when_written() -> None:
    assert convert("Xã Minh Quán, Huyện Trấn Yên, Tỉnh Yên Bái")["status"] == "converted"
    assert convert("Xa Minh Quan, Huyen Tran Yen, Tinh Yen Bai")["status"] == "ambiguous"


def test_island_district_becomes_a_special_zone() -> None:
    r = convert("Huyện Bạch Long Vĩ, Thành phố Hải Phòng")
    assert (r["status"], r["commune_code"], r["commune_name"]) == ("converted", "11948", "Đặc khu Bạch Long Vĩ")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty input"),
        ("   \t ", "empty input"),
        ("\x00\x01\x02\xff\xfe", "no province"),
        ("\x00\x01\x02\x03", "no letters or digits"),
        ("!!!, ???", "no letters or digits"),
        ("x" * (MAX_INPUT_CHARS + 1), f"longer than {MAX_INPUT_CHARS}"),
        ("Phường " * 2000, f"longer than {MAX_INPUT_CHARS}"),
        ("lorem ipsum dolor sit amet", "no province"),
        ("Hà Nội", "no commune-level unit"),
    ],
)
def test_bad_input_is_not_found_with_a_reason(text: str, reason: str) -> None:
    r = convert(text)
    assert r["status"] == "not_found" and reason in r["reason"], r
    assert r["input"] == text


def test_province_only_gives_the_province() -> None:
    r = convert("Hà Giang")
    assert r["status"] == "not_found" and r["province_code"] == "08"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_and_never_a_crash(text: str) -> None:
    r = convert(text)
    assert r["status"] in ("converted", "ambiguous", "unchanged", "not_found")
    if r["status"] in ("converted", "unchanged"):
        assert r["commune_code"] == r["candidates"][0]["code"] and len(r["candidates"]) == 1
    if r["status"] == "ambiguous":
        assert r["commune_code"] is None and len(r["candidates"]) >= 2


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["Phường Trúc Bạch, Quận Ba Đình, Hà Nội", "Xã Cổ Bi, Gia Lâm, Hà Nội", "P.2, Q.5, TP.HCM"]),
    st.text(alphabet=" ,.;-", max_size=5),
)
def test_separators_and_spacing_do_not_change_the_answer(text: str, noise: str) -> None:
    plain = convert(text)
    noisy = convert(noise + text.replace(", ", "," + noise + " ") + noise)
    assert noisy["candidates"] == plain["candidates"]


def test_a_written_type_word_chooses_between_homonyms_of_different_types() -> None:
    township = convert("Thị trấn Trạm Tấu, Huyện Trạm Tấu, Tỉnh Yên Bái")
    commune = convert("Xã Trạm Tấu, Huyện Trạm Tấu, Tỉnh Yên Bái")
    assert township["old"]["commune_name"] == "Thị trấn Trạm Tấu" and commune["old"]["commune_name"] == "Xã Trạm Tấu"
    typo = convert("Thị trấn Trrạm Tấu, Huyện Trạm Tấu, Tỉnh Yên Bái")
    assert typo["old"]["commune_name"] == "Thị trấn Trạm Tấu" and "spelling corrected" in typo["reason"]
