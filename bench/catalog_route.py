"""Benchmark: routing one request by competence (issue 3 target: under 1 ms).

Loads the demo catalog and the generated agencies and centres into a fresh SQLite database,
builds the routing snapshot, then routes 20,000 random requests (procedure × commune × centre
of the commune's province, today) and prints p50/p99 per request and the ratio to the 1 ms
target. Run: ``.venv/bin/python bench/catalog_route.py``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from motcua import db
from motcua.catalog.agencies import generate as generate_agencies
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, route
from motcua.catalog.service import load_demo
from motcua.units import get_registry

TARGET_MS = 1.0


def main() -> None:
    at = date(2026, 11, 24)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db.upgrade(url)
        factory = db.session_factory(db.make_engine(url))
        with db.transaction(factory) as session:
            load_demo(session)
            generate_agencies(session, at)
        with factory() as session:
            start = time.perf_counter()
            snap = CatalogSnapshot.load(session)
            load_s = time.perf_counter() - start
    communes = [u for u in get_registry().in_force(at, "commune")]
    centres_by_province: dict[str, list[str]] = {}
    for c in snap.centres.values():
        centres_by_province.setdefault(c.province_code, []).append(c.identifier)
    codes = sorted(snap.procedures)
    rng = random.Random(7)
    requests = []
    for _ in range(20_000):
        commune = rng.choice(communes)
        requests.append((rng.choice(codes), commune.code, rng.choice(centres_by_province[commune.province_code])))
    for code, subject, centre in requests[:500]:  # warm-up
        route(snap, code, subject, centre, at)
    timings = []
    refused = 0
    for code, subject, centre in requests:
        t0 = time.perf_counter()
        try:
            route(snap, code, subject, centre, at)
        except RoutingRefused:
            refused += 1
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99)]
    print(f"snapshot load: {load_s * 1000:.0f} ms ({len(snap.procedures)} procedures, {len(snap.centres)} centres)")
    print(f"routed {len(requests)} requests ({refused} refused): p50 {p50 * 1000:.1f} µs, p99 {p99 * 1000:.1f} µs")
    print(f"target {TARGET_MS:.1f} ms per request; ratio target / p99 = {TARGET_MS / p99:.0f}x")


if __name__ == "__main__":
    main()
