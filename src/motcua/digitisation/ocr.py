"""The OCR of a scanned component: OCRmyPDF with Tesseract's Vietnamese data, from the distribution,
offline. It deskews and rotates the pages, writes a PDF/A with a text layer and the text beside it.

Run as a child process of its own session, bounded: a time limit (the whole group is killed past it)
and an address-space limit inherited by Ghostscript and Tesseract. Never in a web request: the
background worker calls it (``digitisation.jobs``).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from motcua.settings import Settings

# OCRmyPDF's exit codes that say the input, not the machine, is wrong (docs: "Return codes").
BAD_INPUT = {2: "scan_corrupt", 8: "scan_encrypted"}
VIETNAMESE_LETTERS = re.compile(r"^[a-zA-ZÀ-ỹĐđ]+$")


class OcrFailed(Exception):
    """The OCR did not finish: ``code`` says why; ``retry`` whether trying again may help."""

    def __init__(self, code: str, retry: bool, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.retry, self.detail = code, retry, detail


@dataclass(frozen=True)
class OcrResult:
    pdfa: bytes
    text: str
    pages: int
    readable: float  # share of the words that are words of Vietnamese letters (0–1)


def readable_share(text: str) -> float:
    """How much of the text reads as words: a page in another script, or noise, scores low."""
    words = [w.strip(".,;:()\"'“”-") for w in text.split()]
    words = [w for w in words if len(w) >= 2]
    if not words:
        return 0.0
    return sum(1 for w in words if VIETNAMESE_LETTERS.match(w)) / len(words)


def _limits(memory_bytes: int) -> None:  # runs in the child, before exec
    os.setsid()  # a group of its own: a timeout kills Ghostscript and Tesseract too
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def run_ocr(pdf: bytes, settings: Settings) -> OcrResult:
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as work:
        source, target, sidecar = Path(work, "in.pdf"), Path(work, "out.pdf"), Path(work, "out.txt")
        source.write_bytes(pdf)
        command = [
            settings.ocr_command,
            "--language", settings.ocr_languages,
            "--deskew",
            "--rotate-pages",
            "--skip-text",  # a page that already has text keeps it
            "--output-type", "pdfa",
            "--sidecar", str(sidecar),
            "--jobs", "1",
            "--quiet",
            str(source),
            str(target),
        ]  # fmt: skip
        # One thread per Tesseract: the worker runs one job at a time and the web leaves the rest.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "TMPDIR": work}
        memory = settings.ocr_memory_mb * 1024 * 1024
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                preexec_fn=lambda: _limits(memory),
            )
        except FileNotFoundError:
            raise OcrFailed("ocr_missing", False, settings.ocr_command) from None
        try:
            _, errors = process.communicate(timeout=settings.ocr_timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise OcrFailed("ocr_timeout", True) from None
        if process.returncode in BAD_INPUT:
            raise OcrFailed(BAD_INPUT[process.returncode], False)
        if process.returncode != 0 or not target.exists():
            # Out of memory, a crash: the message's last line, without the file's path.
            last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] if errors else []
            raise OcrFailed("ocr_error", True, f"exit {process.returncode}: {' '.join(last)[:200]}")
        text = sidecar.read_text("utf-8", "replace") if sidecar.exists() else ""
        with pikepdf.open(target) as made:
            pages = len(made.pages)
        return OcrResult(target.read_bytes(), text.replace("\f", "\n"), pages, readable_share(text))
