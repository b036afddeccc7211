"""Run the anchor, the ``vietnamadminunits`` package, over a JSON Lines file of addresses.

Runs in its own virtual environment (see ``bench/units_convert.py``), never in motcua's. Its online
geocoder is disabled, as the issue asks: for a split commune it then returns its default ward.
Writes one JSON object per input to stdout and the timing to stderr.
"""

from __future__ import annotations

import json
import sys
import time

import vietnamadminunits.converter.converter_2025 as conv


def no_geocoder(*_args: object, **_kwargs: object) -> None:
    return None


conv.get_geo_location = no_geocoder


def main() -> None:
    addresses = [json.loads(line)["address"] for line in sys.stdin]
    conv.convert_address_2025("Phường Phúc Xá, Quận Ba Đình, Hà Nội")  # warm-up
    out = []
    start = time.perf_counter()
    for address in addresses:
        try:
            unit = conv.convert_address_2025(address)
            out.append({"province_code": unit.province_code, "commune_code": unit.ward_code})
        except Exception as exc:  # the anchor raises on input it cannot parse
            out.append({"province_code": None, "commune_code": None, "error": type(exc).__name__})
    elapsed = time.perf_counter() - start
    for row in out:
        sys.stdout.write(json.dumps(row) + "\n")
    sys.stderr.write(json.dumps({"seconds": elapsed, "count": len(addresses)}) + "\n")


if __name__ == "__main__":
    main()
