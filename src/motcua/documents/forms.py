"""The one-stop forms of TT 01/2018/TT-VPCP as PDFs, in Vietnamese with correct diacritics (Roboto),
each carrying the dossier code as a QR code that opens the public tracking page.

01 receipt and appointment · 02 request to supplement · 03 refusal · 04 apology and new
appointment · 05 processing control sheet · and the result of the procedure (signed separately).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import font_roboto
import qrcode
from fpdf import FPDF

from motcua import clock
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.settings import get_settings

FormName = Literal["receipt", "supplement_request", "refusal", "apology", "control_sheet", "result"]
TITLES: dict[FormName, tuple[str, str]] = {
    "receipt": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
    "supplement_request": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "refusal": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    "apology": ("Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    "control_sheet": ("Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
    "result": ("", "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"),
}
STATUS_VI = {
    "submitted": "Mới đăng ký",
    "accepted": "Được tiếp nhận",
    "rejected": "Không được tiếp nhận",
    "processing": "Đang xử lý",
    "awaiting_signature": "Đang xử lý (chờ lãnh đạo ký)",
    "supplement_requested": "Yêu cầu bổ sung giấy tờ",
    "payment_requested": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "withdrawal_requested": "Công dân yêu cầu rút hồ sơ",
    "stopped": "Dừng xử lý",
    "processed": "Đã xử lý xong",
    "returned": "Đã trả kết quả",
}
STEP_VI = {
    "submit": "Nộp hồ sơ trực tuyến",
    "receive": "Tiếp nhận hồ sơ",
    "accept": "Tiếp nhận hồ sơ",
    "reject": "Từ chối tiếp nhận",
    "request_supplement_at_reception": "Yêu cầu bổ sung (tiếp nhận)",
    "transfer": "Chuyển hồ sơ đến cơ quan giải quyết",
    "digitise": "Số hóa thành phần hồ sơ",
    "assign": "Phân công xử lý",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "supplement": "Bổ sung hồ sơ",
    "request_payment": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "pay": "Thực hiện nghĩa vụ tài chính",
    "extend": "Xin lỗi và hẹn lại",
    "submit_for_signature": "Trình lãnh đạo ký",
    "send_back": "Trả lại chuyên viên xử lý",
    "approve": "Phê duyệt kết quả",
    "refuse": "Từ chối giải quyết",
    "request_withdrawal": "Yêu cầu rút hồ sơ",
    "stop": "Dừng xử lý",
    "return_result": "Trả kết quả",
    "transferred": "Chuyển đơn vị tiếp nhận, giải quyết do sắp xếp đơn vị hành chính",
}


LIMIT_UNITS_VI = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "months": "tháng"}


@dataclass
class Context:
    """What a form shows besides the dossier: names the database knows."""

    procedure_name: str
    centre_name: str
    agency_name: str
    documents: list[str]
    events: list[DossierEvent]


def tracking_url(code: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/track/{code}"


def _vi_date(d: date | datetime | None) -> str:
    if d is None:
        return "…/…/…"
    if isinstance(d, datetime):
        d = clock.local(d)  # dates on a form are Vietnam's
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _time(d: datetime) -> str:
    d = clock.local(d)
    return f"{d.hour:02d} giờ {d.minute:02d} phút, {_vi_date(d)}"


BINDING_PREFIX = "motcua-dossier:"


def binding(code: str, event_hash: str | None = None) -> str:
    """What a document's Subject says: the dossier it belongs to (and the decision it records), so
    that a genuine document of another dossier is not taken for this one's."""
    return f"{BINDING_PREFIX}{code}" + (f" event:{event_hash}" if event_hash else "")


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("Roboto", "", font_roboto.Roboto)
        self.add_font("Roboto", "B", font_roboto.RobotoBold)
        self.add_font("Roboto", "I", font_roboto.RobotoItalic)
        self.set_auto_page_break(True, 15)
        self.set_margins(20, 15, 15)
        self.add_page()

    def line_text(self, text: str, size: int = 12, style: str = "", align: str = "L") -> None:
        self.set_font("Roboto", style, size)
        self.multi_cell(0, 7, text, align=align, new_x="LMARGIN", new_y="NEXT")


PREVIEW = "BẢN XEM TRƯỚC - CHƯA KÝ, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


def render(
    form: FormName,
    dossier: Dossier,
    ctx: Context,
    payload: dict[str, Any] | None = None,
    event_hash: str | None = None,
    draft: bool = False,
) -> bytes:
    """A form of the dossier; ``draft`` marks a result shown to the leader before signing (its
    subject names no dossier, so it can never pass for the issued result)."""
    payload = payload or {}
    pdf = _Pdf()
    pdf.set_title(f"{PREVIEW + ': ' if draft else ''}{TITLES[form][1]} {dossier.code}")
    pdf.set_subject("preview" if draft else binding(dossier.code, event_hash))
    if draft:
        pdf.set_text_color(180, 0, 0)
        pdf.line_text(PREVIEW, 11, "B", "C")
        pdf.set_text_color(0, 0, 0)
    pdf.set_creator("motcua")
    # Header: the issuing centre on the left, the national motto on the right.
    top = pdf.get_y()
    pdf.set_font("Roboto", "B", 10)
    pdf.multi_cell(75, 5, ctx.centre_name.upper(), align="C")
    pdf.set_xy(100, top)
    pdf.multi_cell(95, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C")
    pdf.ln(4)
    qr = qrcode.make(tracking_url(dossier.code), box_size=4, border=1)
    buf = io.BytesIO()
    qr.save(buf, format="PNG")
    pdf.image(buf, x=170, y=pdf.get_y(), w=25, h=25)
    if TITLES[form][0]:
        pdf.line_text(TITLES[form][0], 9, "I", "R")
    pdf.ln(6)
    pdf.line_text(TITLES[form][1], 14, "B", "C")
    pdf.line_text(f"Mã hồ sơ: {dossier.code}", 11, "B", "C")
    pdf.ln(4)
    body = _BODIES[form]
    body(pdf, dossier, ctx, payload)
    pdf.ln(8)
    pdf.line_text(f"Tra cứu tình trạng hồ sơ: {tracking_url(dossier.code)}", 9, "I")
    return bytes(pdf.output())


def _receipt(pdf: _Pdf, d: Dossier, ctx: Context, _p: dict[str, Any]) -> None:
    pdf.line_text(f"{ctx.centre_name} tiếp nhận hồ sơ của: {d.applicant_name}")
    pdf.line_text(f"Địa chỉ: {d.subject_address}")
    pdf.line_text(f"Nội dung yêu cầu giải quyết: {ctx.procedure_name}")
    pdf.line_text("Thành phần hồ sơ nộp gồm:")
    for i, doc in enumerate(ctx.documents[:12], start=1):
        pdf.line_text(f"{i}. {doc[:200]}", 10)
    if d.time_limit_kind == "same_day" or not d.time_limit:
        limit = "trong ngày"
    else:
        limit = f"{d.time_limit:g} {LIMIT_UNITS_VI.get(d.time_limit_kind, 'ngày làm việc')}".replace(".", ",")
    pdf.line_text(f"Thời gian giải quyết hồ sơ theo quy định là: {limit}")
    received = next((e.at for e in ctx.events if e.transition in ("receive", "accept")), d.submitted_at)
    pdf.line_text(f"Thời gian nhận hồ sơ: {_time(received)}")
    pdf.line_text(f"Thời gian trả kết quả giải quyết hồ sơ: {_vi_date(d.due_on)}")
    pdf.line_text(f"Cơ quan giải quyết: {ctx.agency_name}")
    _signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ")


def _supplement(pdf: _Pdf, d: Dossier, ctx: Context, p: dict[str, Any]) -> None:
    pdf.line_text(f"{ctx.centre_name} tiếp nhận hồ sơ của: {d.applicant_name}")
    pdf.line_text(f"Nội dung yêu cầu giải quyết: {ctx.procedure_name}")
    pdf.line_text(f"Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau (lý do: {p.get('reason', '')}):")
    for i, item in enumerate(p.get("missing", []), start=1):
        pdf.line_text(f"{i}. {item}", 11)
    pdf.line_text(
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ nơi tiếp nhận hồ sơ để được hướng dẫn.",
        11,
        "I",
    )
    _signatures(pdf, "", "NGƯỜI HƯỚNG DẪN")


def _refusal(pdf: _Pdf, d: Dossier, ctx: Context, p: dict[str, Any]) -> None:
    pdf.line_text(f"{ctx.centre_name} tiếp nhận hồ sơ của: {d.applicant_name}")
    pdf.line_text(f"Nội dung yêu cầu giải quyết: {ctx.procedure_name}")
    pdf.line_text(f"Qua xem xét, hồ sơ không đủ điều kiện tiếp nhận, giải quyết với lý do: {p.get('reason', '')}")
    _signatures(pdf, "", "NGƯỜI TIẾP NHẬN HỒ SƠ")


def _apology(pdf: _Pdf, d: Dossier, ctx: Context, p: dict[str, Any]) -> None:
    previous = date.fromisoformat(p["previous_due"]) if p.get("previous_due") else None
    new = date.fromisoformat(p["new_due"]) if p.get("new_due") else d.due_on
    pdf.line_text(
        f"{ctx.agency_name} xin lỗi ông/bà {d.applicant_name} vì hồ sơ đề nghị giải quyết thủ tục "
        f"{ctx.procedure_name} chưa được trả kết quả đúng hẹn ({_vi_date(previous)})."
    )
    pdf.line_text(f"Lý do: {p.get('reason', '')}")
    pdf.line_text(f"Xin hẹn lại ngày trả kết quả: {_vi_date(new)}.")
    _signatures(pdf, "", "THỦ TRƯỞNG CƠ QUAN")


def _control(pdf: _Pdf, d: Dossier, ctx: Context, _p: dict[str, Any]) -> None:
    pdf.line_text(f"Thủ tục: {ctx.procedure_name}", 11)
    pdf.line_text(
        f"Người nộp: {d.applicant_name} · Hẹn trả: {_vi_date(d.due_on)} · Trạng thái: "
        f"{STATUS_VI.get(d.status, d.status)}",
        11,
    )
    pdf.ln(2)
    pdf.set_font("Roboto", "", 9)
    with pdf.table(col_widths=(8, 45, 40, 42, 40), text_align="LEFT", line_height=5) as table:
        table.row(["#", "Bước", "Đơn vị", "Thời gian", "Trạng thái"])
        for e in ctx.events:
            table.row(
                [
                    str(e.seq),
                    STEP_VI.get(e.transition, e.transition),
                    e.actor_unit or e.actor_role,
                    e.at.strftime("%H:%M %d/%m/%Y"),
                    STATUS_VI.get(e.to_status, e.to_status),
                ]
            )


def _result(pdf: _Pdf, d: Dossier, ctx: Context, p: dict[str, Any]) -> None:
    decided = p.get("outcome", d.outcome)  # a preview names the outcome the leader is about to sign
    outcome = "CHẤP THUẬN" if decided == "approved" else "TỪ CHỐI"
    pdf.line_text(f"{ctx.agency_name} đã giải quyết hồ sơ đề nghị: {ctx.procedure_name}")
    pdf.line_text(f"Người đề nghị: {d.applicant_name}")
    pdf.line_text(f"Địa chỉ: {d.subject_address}")
    pdf.line_text(f"Kết quả: {outcome}", 13, "B")
    if decided == "refused":
        pdf.line_text(f"Lý do: {p.get('reason', '')}")
    pdf.line_text(f"Ngày giải quyết: {_vi_date(p.get('finished_at', d.finished_at))}")
    pdf.line_text(
        "Văn bản này được ký số; kiểm tra chữ ký bằng phần mềm đọc PDF hoặc lệnh `motcua documents verify`.", 9, "I"
    )


def _signatures(pdf: _Pdf, left: str, right: str) -> None:
    pdf.ln(6)
    y = pdf.get_y()
    pdf.set_font("Roboto", "B", 11)
    pdf.multi_cell(85, 6, f"{left}\n(Ký và ghi rõ họ tên)" if left else "", align="C")
    pdf.set_xy(105, y)
    pdf.multi_cell(85, 6, f"{right}\n(Ký và ghi rõ họ tên)", align="C")


_BODIES = {
    "receipt": _receipt,
    "supplement_request": _supplement,
    "refusal": _refusal,
    "apology": _apology,
    "control_sheet": _control,
    "result": _result,
}

# Which event a form documents, and from which state it can be issued.
SOURCE_EVENT: dict[FormName, tuple[str, ...]] = {
    "receipt": ("receive", "accept"),
    "supplement_request": ("request_supplement", "request_supplement_at_reception"),
    "refusal": ("reject",),
    "apology": ("extend",),
    "control_sheet": ("receive", "accept", "submit"),
    "result": ("approve", "refuse"),
}
