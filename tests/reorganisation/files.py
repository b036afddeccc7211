"""Resolution files for the tests: wards of Hồ Chí Minh City merged in a 2026-style resolution."""

from __future__ import annotations

from datetime import date

HEADER = "reference,effective_date,action,level,code,name,unit_type,province,successor,rule,match,note\n"
SAI_GON, BEN_THANH, CAU_ONG_LANH = "26740", "26743", "26758"


def merge_into_existing(day: date, reference: str = "NQ 9001/NQ-UBTVQH15") -> str:
    """Bến Thành merged into Sài Gòn."""
    return HEADER + f"{reference},{day},merge,commune,{BEN_THANH},,,,{SAI_GON},,,\n"


def merge_into_new(day: date, reference: str = "NQ 9002/NQ-UBTVQH15") -> str:
    """Sài Gòn and Bến Thành merged into a new ward, Phường Trung Tâm (29990)."""
    return HEADER + (
        f"{reference},{day},create,commune,29990,Trung Tâm,ward,79,,,,\n"
        f"{reference},{day},merge,commune,{SAI_GON},,,,29990,,,\n"
        f"{reference},{day},merge,commune,{BEN_THANH},,,,29990,,,\n"
    )


def split_by_address(day: date, reference: str = "NQ 9003/NQ-UBTVQH15") -> str:
    """Bến Thành split between Sài Gòn and Cầu Ông Lãnh by street."""
    return HEADER + (
        f"{reference},{day},split,commune,{BEN_THANH},,,,{SAI_GON},address,Lê Lợi;Đồng Khởi,\n"
        f"{reference},{day},split,commune,{BEN_THANH},,,,{CAU_ONG_LANH},address,Nguyễn Thái Học,\n"
    )
