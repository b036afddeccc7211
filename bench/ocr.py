"""Benchmark: the OCR of scanned components — accuracy and throughput — motcua against Tesseract run
bare on the same images (the anchor: no deskew, no rotation, no PDF/A, one call of ``tesseract``).

The test set is built here (``motcua.digitisation.specimens``): paper documents as motcua writes them
(a certificate of marital status, a building permit application, a land use right certificate, for
made-up people), printed to page images at 200 dpi, then either kept clean (PNG) or "scanned" badly
(turned by up to 4 degrees, specked, blurred, saved as a JPEG of quality 30).

For each page: character accuracy (1 − Levenshtein distance ÷ length, whitespace collapsed) against
the text written, and whether each field suggestion (ID number, name, date of birth, address read)
equals the truth — the same extraction on both engines' text, so the difference is the reading.
Throughput: pages per minute, one page at a time, on this machine.

Run: ``python bench/ocr.py`` (``--seeds 4`` people per kind of paper; ``--skip-anchor``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable

from rapidfuzz.distance import Levenshtein

from motcua.digitisation.fields import FIELDS, suggestions
from motcua.digitisation.ocr import run_ocr
from motcua.digitisation.scans import as_one_pdf, checked_scans
from motcua.digitisation.specimens import Specimen, pages, papers, scanned
from motcua.settings import Settings


def accuracy(read: str, truth: str) -> float:
    a, b = " ".join(read.split()), " ".join(truth.split())
    return max(0.0, 1 - Levenshtein.distance(a, b) / max(len(b), 1))


def fields_right(text: str, specimen: Specimen) -> dict[str, bool]:
    found = {s.field: s for s in suggestions(text)}
    right = {}
    for name in FIELDS:
        s = found.get(name)
        if name == "address":  # what was read, before its conversion to the new units
            right[name] = s is not None and " ".join(s.found.split()) == specimen.fields[name]
        else:
            right[name] = s is not None and s.value == specimen.fields[name]
    return right


def motcua_reads(image: bytes, name: str, settings: Settings) -> str:
    return run_ocr(as_one_pdf(checked_scans([(name, image)])), settings).text


def tesseract_reads(image: bytes, suffix: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(image)
        f.flush()
        done = subprocess.run(
            ["tesseract", f.name, "stdout", "-l", "vie"], capture_output=True, check=True, timeout=300
        )
    return done.stdout.decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=4, help="people per kind of paper")
    parser.add_argument("--skip-anchor", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    rng = random.Random(2026)
    cases: list[tuple[str, Specimen, bytes, str]] = []  # (quality, specimen, image, suffix)
    for seed in range(args.seeds):
        for specimen in papers(seed=100 + seed):
            page = pages(specimen.pdf)[0]
            cases.append(("clean", specimen, scanned(page, rng, noisy=False), ".png"))
            cases.append(("noisy", specimen, scanned(page, rng), ".jpg"))
    print(f"{len(cases)} pages: {args.seeds * 3} papers, each clean (PNG) and badly scanned (JPEG, skewed, specked)")

    def ours(image: bytes, suffix: str) -> str:
        return motcua_reads(image, f"page{suffix}", settings)

    engines: list[tuple[str, Callable[[bytes, str], str]]] = [("motcua", ours)]
    if not args.skip_anchor:
        engines.append(("tesseract bare", tesseract_reads))
    results: dict[str, dict[str, list[float]]] = {}
    fields: dict[str, dict[str, dict[str, list[bool]]]] = {}
    speed: dict[str, float] = {}
    for engine, read in engines:
        acc: dict[str, list[float]] = defaultdict(list)
        got: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
        start = time.perf_counter()
        for quality, specimen, image, suffix in cases:
            text = read(image, suffix)
            acc[quality].append(accuracy(text, specimen.text))
            for name, ok in fields_right(text, specimen).items():
                got[quality][name].append(ok)
        speed[engine] = len(cases) / ((time.perf_counter() - start) / 60)
        results[engine], fields[engine] = acc, got

    print()
    print(f"{'':16} {'chars clean':>12} {'chars noisy':>12} {'pages/min':>10}")
    for engine in results:
        clean, noisy = statistics.mean(results[engine]["clean"]), statistics.mean(results[engine]["noisy"])
        worst = min(results[engine]["noisy"])
        print(f"{engine:16} {clean:>11.1%} {noisy:>11.1%} {speed[engine]:>10.1f}   (worst noisy page {worst:.1%})")
    print()
    print(f"{'fields right':22} " + " ".join(f"{n:>14}" for n in FIELDS))
    for engine in fields:
        for q in ("clean", "noisy"):
            shares = [sum(fields[engine][q][n]) / len(fields[engine][q][n]) for n in FIELDS]
            print(f"{engine + ' ' + q:22} " + " ".join(f"{s:>14.0%}" for s in shares))
    if "tesseract bare" in results:
        m, t = results["motcua"], results["tesseract bare"]
        print()
        noisy = statistics.mean(m["noisy"]) / statistics.mean(t["noisy"])
        clean = statistics.mean(m["clean"]) / statistics.mean(t["clean"])
        pace = speed["motcua"] / speed["tesseract bare"]
        print(f"ratio motcua / tesseract bare: chars noisy {noisy:.3f}, chars clean {clean:.3f}, pages/min {pace:.2f}")
    clean_ok = statistics.mean(results["motcua"]["clean"]) >= 0.97
    noisy_ok = statistics.mean(results["motcua"]["noisy"]) >= 0.90
    print(f"targets: clean ≥ 97% {'met' if clean_ok else 'NOT met'}, noisy ≥ 90% {'met' if noisy_ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
