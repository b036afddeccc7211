"""The OCR for real: OCRmyPDF with Tesseract's Vietnamese data (Debian's packages; ``.ci/run``
installs them) reads a skewed, specked, JPEG-damaged three-page scan into a PDF/A whose text gives
the right field suggestions; a page in another script is flagged; the limits hold."""

from __future__ import annotations

import io
import os
import random
import shutil

import pikepdf
import pytest
from rapidfuzz.distance import Levenshtein

from motcua.digitisation.fields import suggestions
from motcua.digitisation.ocr import OcrFailed, run_ocr
from motcua.digitisation.scans import as_one_pdf, checked_scans
from motcua.digitisation.specimens import pages, papers, scanned
from motcua.settings import Settings

pytestmark = pytest.mark.slow
if shutil.which("ocrmypdf") is None or shutil.which("gs") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the OCR tests: ocrmypdf is missing (.ci/run installs it)")
    pytest.skip("no ocrmypdf (apt-get install ocrmypdf tesseract-ocr-vie)", allow_module_level=True)


def _accuracy(read: str, truth: str) -> float:
    a, b = " ".join(read.split()), " ".join(truth.split())
    return 1 - Levenshtein.distance(a, b) / max(len(b), 1)


def test_a_skewed_noisy_three_page_scan_is_read_into_a_pdfa_with_its_fields() -> None:
    rng = random.Random(5)
    specimens = papers(seed=11)
    files = [
        (f"trang-{i}.jpg", scanned(pages(s.pdf)[0], rng, skew=(-3.5, 2.5, 4.0)[i])) for i, s in enumerate(specimens)
    ]
    result = run_ocr(as_one_pdf(checked_scans(files)), Settings())
    assert result.pages == 3 and result.readable > 0.8
    with pikepdf.open(io.BytesIO(result.pdfa)) as pdf:
        assert len(pdf.pages) == 3
        assert "pdfaid" in str(pdf.open_metadata()).lower() or pdf.Root.get("/Metadata") is not None  # PDF/A
    read = result.text.split("\n\n")
    first = suggestions(result.text.split(specimens[1].title)[0])  # the first page's text
    by_field = {s.field: s for s in first}
    truth = specimens[0].fields
    assert by_field["id_number"].value == truth["id_number"]
    assert by_field["full_name"].value == truth["full_name"]
    assert by_field["date_of_birth"].value == truth["date_of_birth"]
    assert by_field["address"].commune_code == "26740"  # the old ward of Quận 1, converted: Phường Sài Gòn
    assert _accuracy(result.text, "\n".join(s.text for s in specimens)) > 0.9, read


def test_a_page_in_another_script_is_read_but_flagged() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for _ in range(20):
        pdf.cell(0, 8, "||| ### --- /// ::: ||| ### --- ///", new_x="LMARGIN", new_y="NEXT")
    image = pages(bytes(pdf.output()))[0]
    result = run_ocr(as_one_pdf(checked_scans([("la.png", scanned(image, random.Random(1), noisy=False))])), Settings())
    assert result.readable < 0.5 and suggestions(result.text) == []


def test_the_ocr_is_bounded_in_time_and_memory() -> None:
    page = pages(papers(seed=3)[0].pdf)[0]
    scan = as_one_pdf(checked_scans([("a.jpg", scanned(page, random.Random(2)))]))
    with pytest.raises(OcrFailed) as err:
        run_ocr(scan, Settings(ocr_timeout_seconds=0.2))
    assert err.value.code == "ocr_timeout" and err.value.retry
    with pytest.raises(OcrFailed) as err:
        run_ocr(scan, Settings(ocr_memory_mb=256))  # Python, Ghostscript and Tesseract cannot start in it
    assert err.value.code == "ocr_error" and err.value.retry
    with pytest.raises(OcrFailed) as err:
        run_ocr(scan, Settings(ocr_command="/nonexistent/ocrmypdf"))
    assert err.value.code == "ocr_missing" and not err.value.retry
