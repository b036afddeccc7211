"""What a reception officer scans, checked before anything is stored or read: a PDF or images
(JPEG, PNG: a scanner's pages or phone photos), not encrypted, not corrupt, a bounded number of pages
of bounded size; then put together as one PDF in page order for the OCR.

Each refusal says what is wrong with which file, and nothing is stored (``DossierError``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import filetype
import img2pdf
import pikepdf
from PIL import Image, UnidentifiedImageError

from motcua.dossiers.attachments import MAX_BYTES
from motcua.dossiers.errors import DossierError
from motcua.i18n import N_
from motcua.settings import get_settings

IMAGE_TYPES = {"image/jpeg", "image/png"}
ENCRYPTED = N_("{name} is protected by a password: scan the paper again, or send it unprotected.")
CORRUPT = N_("{name} is damaged and cannot be read: scan it again.")


@dataclass(frozen=True)
class Scan:
    name: str
    data: bytes
    content_type: str
    pages: int


def _refused(code: str, template: str, **details: object) -> DossierError:
    return DossierError(code, template, **details)


def checked_scan(name: str, data: bytes) -> Scan:
    """One scanned file, refused with a clear reason when it cannot be read as pages."""
    settings = get_settings()
    if not data:
        raise _refused("scan_empty", N_("{name} is empty."), name=name)
    if len(data) > MAX_BYTES:
        raise _refused(
            "attachment_too_large",
            N_("{name} is larger than {limit_mb} MB, the limit for each file. Send a smaller scan or photo."),
            name=name,
            limit_mb=f"{MAX_BYTES / (1024 * 1024):g}",
        )
    guessed = filetype.guess(data)
    kind = guessed.mime if guessed else "application/octet-stream"
    if kind == "application/pdf":
        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                pages = len(pdf.pages)
        except pikepdf.PasswordError:
            raise _refused(
                "scan_encrypted",
                N_("{name} is protected by a password: scan the paper again, or send it unprotected."),
                name=name,
            ) from None
        except pikepdf.PdfError:
            raise _refused(
                "scan_corrupt", N_("{name} is damaged and cannot be read: scan it again."), name=name
            ) from None
        if pages == 0:
            raise _refused("scan_empty", N_("{name} is empty."), name=name)
    elif kind in IMAGE_TYPES:
        pages = 1
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size  # read from the header: nothing decoded yet
                if width * height > settings.ocr_max_pixels:
                    raise _refused(
                        "scan_image_too_large",
                        N_("{name} is {width} × {height} pixels; scan at 300 dpi (at most {limit} million pixels)."),
                        name=name,
                        width=width,
                        height=height,
                        limit=settings.ocr_max_pixels // 1_000_000,
                    )
                image.load()  # a truncated or corrupt image fails here
        except Image.DecompressionBombError:  # Pillow's own guard, for images far past ours
            raise _refused(
                "scan_image_too_large",
                N_("{name} has far too many pixels; scan at 300 dpi (at most {limit} million pixels)."),
                name=name,
                limit=settings.ocr_max_pixels // 1_000_000,
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _refused(
                "scan_corrupt", N_("{name} is damaged and cannot be read: scan it again."), name=name
            ) from None
    else:
        raise _refused("scan_type", N_("{name} is {type}; a scan is a PDF, JPEG or PNG file."), name=name, type=kind)
    if pages > settings.ocr_max_pages:
        raise _refused(
            "scan_too_many_pages",
            N_("{name} has {pages} pages; at most {limit} pages are read at once. Scan each document apart."),
            name=name,
            pages=pages,
            limit=settings.ocr_max_pages,
        )
    return Scan(name, data, kind, pages)


def checked_scans(files: list[tuple[str, bytes]]) -> list[Scan]:
    """Every file checked, and their pages together within the limit."""
    if not files:
        raise _refused("scan_missing", N_("Choose the scanned pages of the document."))
    scans = [checked_scan(name, data) for name, data in files]
    total, limit = sum(s.pages for s in scans), get_settings().ocr_max_pages
    if total > limit:
        raise _refused(
            "scan_too_many_pages",
            N_("{name} has {pages} pages; at most {limit} pages are read at once. Scan each document apart."),
            name=", ".join(s.name for s in scans)[:200],
            pages=total,
            limit=limit,
        )
    return scans


def as_one_pdf(scans: list[Scan]) -> bytes:
    """The scans as one PDF, in the order given: images placed losslessly (img2pdf), PDFs appended."""
    out = pikepdf.new()
    for scan in scans:
        if scan.content_type == "application/pdf":
            piece = pikepdf.open(io.BytesIO(scan.data))
        else:
            piece = pikepdf.open(io.BytesIO(_image_pdf(scan.data)))
        out.pages.extend(piece.pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _image_pdf(data: bytes) -> bytes:
    """A page for an image: as it is when img2pdf can embed it (JPEG, opaque PNG), else re-encoded
    without its transparency. An image without a resolution is taken at 300 dpi (A4-sized scans)."""
    layout = img2pdf.get_fixed_dpi_layout_fun((300, 300))
    try:
        return bytes(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    except (img2pdf.AlphaChannelError, img2pdf.ImageOpenError, ValueError):
        with Image.open(io.BytesIO(data)) as image:
            buf = io.BytesIO()
            image.convert("RGB").save(buf, format="PNG")
        return bytes(img2pdf.convert(buf.getvalue(), layout_fun=layout))
