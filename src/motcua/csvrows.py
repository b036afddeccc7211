"""Reading an operator's CSV file the same way everywhere: a byte-order mark tolerated, required
columns checked against the header, each row's cells stripped and numbered by its line in the file
(the header is line 1), so that every import names its errors by line and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CsvFile:
    missing: tuple[str, ...]  # required columns absent from the header
    rows: Iterator[tuple[int, dict[str, str]]]  # (line number, {column: stripped cell})


def read_csv(text: str, columns: Sequence[str], required: Sequence[str] | None = None) -> CsvFile:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = tuple(c for c in (columns if required is None else required) if c not in header)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, raw in enumerate(reader, start=2):
            yield number, {c: (raw.get(c) or "").strip() for c in columns}

    return CsvFile(missing, rows())
