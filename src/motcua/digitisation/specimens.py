"""Specimen papers for the demo, the tests and the OCR benchmark: documents as a counter receives
them, written with motcua's own PDF forms (Roboto, Vietnamese), printed to page images (Ghostscript,
installed with OCRmyPDF) and "scanned" — turned a little, specked, blurred, saved as JPEG — with the
text and fields they hold, to measure what the OCR reads back.

Made-up people only: the names, numbers and addresses are drawn from lists below, never real data.
"""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import font_roboto
from fpdf import FPDF
from PIL import Image, ImageFilter

from motcua.accounts.identity import generated_personal_id

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Đức", "Thu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Lan", "Hùng", "Phương", "Quân", "Tâm", "Yến")
HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
ADDRESSES = (
    ("12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", "26740"),
    ("45 Hàng Bài, Phường Hàng Bài, Quận Hoàn Kiếm, Hà Nội", ""),
    ("8 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng", ""),
    ("3 Hàm Nghi, Phường Sài Gòn, Thành phố Hồ Chí Minh", "26740"),
)


@dataclass(frozen=True)
class Specimen:
    title: str
    lines: tuple[str, ...]  # the text as written, line by line
    fields: dict[str, str]  # what the field suggestions should find: id_number, full_name, date_of_birth, address
    pdf: bytes

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Person:
    full_name: str
    born: date
    id_number: str
    address: str
    sex: str = field(default="Nữ")


def person(rng: random.Random) -> Person:
    sex = rng.choice(("Nam", "Nữ"))
    middle = "Thị" if sex == "Nữ" and rng.random() < 0.6 else rng.choice(MIDDLE)
    name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
    born = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
    number = generated_personal_id(rng, earliest=born.year, latest=born.year)
    if (sex == "Nữ" and int(number[3]) % 2 == 0) or (sex == "Nam" and int(number[3]) % 2 == 1):
        number = number[:3] + str(int(number[3]) ^ 1) + number[4:]  # the digit of the sex agrees
    return Person(name, born, number, rng.choice(ADDRESSES)[0], sex)


def _pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Roboto", "", font_roboto.Roboto)
    pdf.add_font("Roboto", "B", font_roboto.RobotoBold)
    pdf.set_margins(22, 20, 20)
    pdf.add_page()
    pdf.set_font("Roboto", "B", 11)
    pdf.multi_cell(0, 6, "\n".join(HEADER), align="C")
    pdf.ln(6)
    pdf.set_font("Roboto", "B", 15)
    pdf.multi_cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Roboto", "", 12.5)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def papers(seed: int = 7) -> list[Specimen]:
    """Three kinds of paper a counter receives, each for a made-up person."""
    rng = random.Random(seed)
    found = []
    p = person(rng)
    lines = [
        f"Họ, chữ đệm, tên: {p.full_name}",
        f"Ngày, tháng, năm sinh: {p.born:%d/%m/%Y}",
        f"Giới tính: {p.sex}      Dân tộc: Kinh      Quốc tịch: Việt Nam",
        f"Số định danh cá nhân: {p.id_number}",
        f"Nơi cư trú: {p.address}",
        "Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai.",
        "Giấy này được cấp để làm thủ tục đăng ký kết hôn.",
        "Giấy này có giá trị sử dụng trong thời hạn 06 tháng kể từ ngày cấp.",
    ]
    title = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    found.append(Specimen(title, (*HEADER, title, *lines), _fields(p), _pdf(title, lines)))
    p = person(rng)
    lines = [
        "Kính gửi: Ủy ban nhân dân phường",
        f"Họ và tên chủ đầu tư: {p.full_name}",
        f"Số định danh cá nhân: {p.id_number}",
        f"Ngày sinh: {p.born:%d/%m/%Y}",
        f"Địa chỉ: {p.address}",
        "Địa điểm xây dựng: lô đất số 15, tờ bản đồ số 7.",
        "Loại công trình: nhà ở riêng lẻ. Cấp công trình: cấp III.",
        "Tổng diện tích sàn: 245,5 m². Chiều cao công trình: 14,2 m. Số tầng: 4.",
        "Tôi xin cam đoan làm theo đúng giấy phép được cấp.",
    ]
    title = "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG"
    fields = _fields(p)
    found.append(Specimen(title, (*HEADER, title, *lines), fields, _pdf(title, lines)))
    p = person(rng)
    lines = [
        f"Họ, chữ đệm và tên khai sinh: {p.full_name}",
        f"Sinh ngày: {p.born:%d/%m/%Y}",
        f"Số định danh cá nhân: {p.id_number}",
        f"Nơi thường trú: {p.address}",
        "Thửa đất số: 128      Tờ bản đồ số: 21",
        "Diện tích: 96,4 m²      Mục đích sử dụng: đất ở tại đô thị",
        "Nguồn gốc sử dụng: Nhà nước giao đất có thu tiền sử dụng đất.",
    ]
    title = "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"
    found.append(Specimen(title, (*HEADER, title, *lines), _fields(p), _pdf(title, lines)))
    return found


def _fields(p: Person) -> dict[str, str]:
    return {
        "id_number": p.id_number,
        "full_name": p.full_name,
        "date_of_birth": p.born.isoformat(),
        "address": p.address,
    }


def pages(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """The PDF's pages as greyscale images, as a printer and scanner would give them (Ghostscript)."""
    with tempfile.TemporaryDirectory(prefix="motcua-specimen-") as work:
        source = Path(work, "in.pdf")
        source.write_bytes(pdf)
        subprocess.run(
            ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", f"-r{dpi}",
             "-o", str(Path(work, "page-%03d.png")), str(source)],
            check=True,
            timeout=120,
        )  # fmt: skip
        return [Image.open(p).copy() for p in sorted(Path(work).glob("page-*.png"))]


def scanned(page: Image.Image, rng: random.Random, noisy: bool = True, skew: float | None = None) -> bytes:
    """A page as a hurried scan or a phone photo makes it: turned by a few degrees, specked, blurred
    and saved as a poor JPEG (``noisy``); or as a clean scan (a clean PNG)."""
    image = page.convert("L")
    if not noisy:
        buf = io.BytesIO()
        image.save(buf, format="PNG", dpi=(200, 200))
        return buf.getvalue()
    angle = skew if skew is not None else rng.uniform(-4.0, 4.0)
    image = image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    pixels = image.load()
    assert pixels is not None
    width, height = image.size
    for _ in range(width * height // 80):  # salt and pepper
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=30, dpi=(200, 200))
    return buf.getvalue()
