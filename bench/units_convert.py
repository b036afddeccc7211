"""Benchmark: old→new address conversion, motcua against the anchor ``vietnamadminunits``.

Builds the test set (``bench/units_testset.py``: every old commune in two styles, aliases from
earlier mergers, every new commune in the two-level form), runs motcua in this process and the
anchor in its own virtual environment (created under ``bench/.anchor-venv`` on first run, or
``--anchor-python``), and prints, for both, accuracy on single-successor communes, exact
candidate sets on split communes, throughput on one core, and the ratio. Also measures the cold
start of ``motcua units convert`` on one address.

Run: ``python bench/units_convert.py`` (add ``--skip-anchor`` to measure motcua alone).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from units_testset import Case, build, write_jsonl

BENCH = Path(__file__).resolve().parent
ANCHOR_VENV = BENCH / ".anchor-venv"


def score_motcua(cases: list[Case], results: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for case, r in zip(cases, results, strict=True):
        if case.kind == "single":
            ok = r["status"] == "converted" and r["commune_code"] == case.expected[0]
        elif case.kind in ("split", "homonym"):
            ok = r["status"] == "ambiguous" and tuple(sorted(c["code"] for c in r["candidates"])) == case.expected
        else:
            ok = r["status"] == "unchanged" and r["commune_code"] == case.expected[0]
        for k in (case.kind, f"{case.kind}/{case.style}"):
            by[k]["total"] += 1
            by[k]["ok"] += ok
    return by


def score_anchor(cases: list[Case], results: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """The anchor has no 'ambiguous': on a split commune it returns one ward, never the set."""
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for case, r in zip(cases, results, strict=True):
        ok = case.kind not in ("split", "homonym") and r.get("commune_code") == case.expected[0]
        for k in (case.kind, f"{case.kind}/{case.style}"):
            by[k]["total"] += 1
            by[k]["ok"] += ok
    return by


def run_motcua(cases: list[Case]) -> tuple[list[dict[str, Any]], float]:
    from motcua.units.address import get_converter

    converter = get_converter()
    converter.convert("Phường Phúc Xá, Quận Ba Đình, Hà Nội")  # load the registry outside the timing
    addresses = [c.address for c in cases]
    start = time.perf_counter()
    conversions = [converter.convert(a) for a in addresses]
    elapsed = time.perf_counter() - start
    return [c.to_dict() for c in conversions], elapsed


def anchor_python(explicit: str | None) -> str:
    if explicit:
        return explicit
    python = ANCHOR_VENV / "bin" / "python"
    if not python.exists():
        print("creating the anchor's environment in", ANCHOR_VENV, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(ANCHOR_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "vietnamadminunits==1.0.4"], check=True)
    return str(python)


def run_anchor(cases: list[Case], python: str) -> tuple[list[dict[str, Any]], float]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        path = Path(f.name)
    write_jsonl(cases, path)
    with path.open() as stdin:
        proc = subprocess.run(
            [python, str(BENCH / "anchor_vietnamadminunits.py")],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
    path.unlink()
    timing = json.loads(proc.stderr.strip().splitlines()[-1])
    return [json.loads(line) for line in proc.stdout.splitlines()], timing["seconds"]


def cold_start(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["motcua", "units", "convert"],
            input="P.2, Q.5, TP.HCM\n",
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"},
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pct(c: Counter[str]) -> str:
    return f"{100 * c['ok'] / c['total']:.2f}% ({c['ok']}/{c['total']})" if c["total"] else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-anchor", action="store_true")
    parser.add_argument("--anchor-python", help="python of an environment with vietnamadminunits installed")
    parser.add_argument("--failures", type=int, default=0, help="print this many motcua failures")
    args = parser.parse_args()

    cases = build()
    print(f"test set: {len(cases)} addresses ({dict(Counter(c.kind for c in cases))})")
    results, seconds = run_motcua(cases)
    ours = score_motcua(cases, results)
    rate = len(cases) / seconds
    anchor = anchor_rate = None
    if not args.skip_anchor:
        anchor_results, anchor_seconds = run_anchor(cases, anchor_python(args.anchor_python))
        anchor = score_anchor(cases, anchor_results)
        anchor_rate = len(cases) / anchor_seconds

    print(f"\n{'measure':<44} {'motcua':>28} {'vietnamadminunits':>28}")
    rows = ["single", "split", "homonym", "new_form", *sorted(k for k in ours if "/" in k)]
    for k in rows:
        print(f"{k:<44} {pct(ours[k]):>28} {pct(anchor[k]) if anchor else '-':>28}")
    print(f"{'addresses/s (one core)':<44} {rate:>28,.0f} {anchor_rate or 0:>28,.0f}")
    if anchor_rate:
        print(f"speed ratio motcua / anchor: {rate / anchor_rate:.1f}x")
    print(f"cold start of `motcua units convert` on one address (median of 5): {cold_start():.2f} s")
    if args.failures:
        shown = 0
        for case, r in zip(cases, results, strict=True):
            ok_single = (
                case.kind not in ("split", "homonym")
                and r["commune_code"] == case.expected[0]
                and r["status"] != "ambiguous"
            )
            ok_split = (
                case.kind in ("split", "homonym")
                and tuple(sorted(c["code"] for c in r["candidates"])) == case.expected
                and r["status"] == "ambiguous"
            )
            if not (ok_single or ok_split):
                print(
                    "FAIL",
                    case.style,
                    case.kind,
                    case.expected,
                    "|",
                    case.address,
                    "→",
                    r["status"],
                    r["reason"],
                    r["commune_code"],
                    [c["code"] for c in r["candidates"]][:6],
                )
                shown += 1
                if shown >= args.failures:
                    break


if __name__ == "__main__":
    main()
