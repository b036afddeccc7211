"""Bad scans are refused at once with a clear reason, before anything is stored or read: not an image
or a PDF, an encrypted PDF, too many pages, an image of 20,000 × 20,000 pixels, a corrupt JPEG."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from motcua.digitisation.scans import as_one_pdf, checked_scan, checked_scans
from motcua.dossiers.errors import DossierError


def _png(width: int = 400, height: int = 300) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, format="PNG")
    return buf.getvalue()


def _pdf(pages: int, password: str = "") -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(owner=password, user=password) if password else False)
    return buf.getvalue()


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(DossierError) as err:
        checked_scan(name, data)
    return err.value.code


def test_what_is_not_a_scan_is_refused_with_its_reason() -> None:
    assert _refusal("ghi-chu.txt", "Giấy tờ".encode()) == "scan_type"
    assert _refusal("trong.pdf", b"") == "scan_empty"
    assert _refusal("khoa.pdf", _pdf(1, password="bí-mật")) == "scan_encrypted"
    assert _refusal("dai.pdf", _pdf(300)) == "scan_too_many_pages"
    # A 20,000 × 20,000 image is refused from its header, before a byte of it is decoded.
    huge = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(huge, format="PNG")
    assert _refusal("anh-lon.png", huge.getvalue()) == "scan_image_too_large"
    jpeg = io.BytesIO()
    Image.new("L", (800, 600), 200).save(jpeg, format="JPEG")
    assert _refusal("hong.jpg", jpeg.getvalue()[:400]) == "scan_corrupt"  # cut short
    assert _refusal("hong.pdf", b"%PDF-1.4\n" + b"\x00" * 200) == "scan_corrupt"


def test_the_refusal_names_the_file_in_words() -> None:
    with pytest.raises(DossierError) as err:
        checked_scan("khoa.pdf", _pdf(1, password="x"))
    assert err.value.details["name"] == "khoa.pdf" and "password" in err.value.template


def test_pages_of_several_files_count_together_and_come_out_in_order() -> None:
    scans = checked_scans([("trang-1.png", _png()), ("trang-2-3.pdf", _pdf(2)), ("trang-4.png", _png(300, 400))])
    assert [s.pages for s in scans] == [1, 2, 1]
    with pikepdf.open(io.BytesIO(as_one_pdf(scans))) as merged:
        assert len(merged.pages) == 4
    with pytest.raises(DossierError) as err:
        checked_scans([(f"p{i}.pdf", _pdf(20)) for i in range(3)])  # 60 pages together
    assert err.value.code == "scan_too_many_pages"
    with pytest.raises(DossierError) as err:
        checked_scans([])
    assert err.value.code == "scan_missing"
