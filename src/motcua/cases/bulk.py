"""Bulk writing of generated cases (synthetic dossiers and feedback for demonstrations and load
tests): rows streamed in batches, with COPY on PostgreSQL."""

from __future__ import annotations

import queue
import threading
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Engine

from motcua import clock as vn_clock

Row = tuple[Any, ...]
Rows = tuple[list[Row], ...]  # one list per table, in the writer's order


class BulkWriter:
    """Writes batches of rows (one list per table of ``tables``, in order) in their own transactions.
    On PostgreSQL a thread streams each batch with COPY while the caller makes the next one (the server
    works on the other core); ``json_columns`` are serialised first."""

    def __init__(self, engine: Engine, tables: tuple[tuple[str, tuple[str, ...]], ...], json_columns: set[str]) -> None:
        self.engine = engine
        self.tables = tables
        self.json_columns = json_columns
        self.postgres = engine.dialect.name == "postgresql"
        self.queue: queue.Queue[Rows | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="motcua-copy", daemon=True)
        self.thread.start()

    def put(self, batch: Rows) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            raw = self.engine.raw_connection()
            try:
                while (batch := self.queue.get()) is not None:
                    (self._copy if self.postgres else self._insert)(raw, batch)
                    raw.commit()
            finally:
                raw.close()
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc
            while self.queue.get() is not None:  # let the producer finish its puts
                pass

    def _copy(self, raw: Any, batch: Rows) -> None:
        pg = raw.driver_connection
        with pg.cursor() as cursor:
            for (table, columns), rows in zip(self.tables, batch, strict=True):
                json_at = [i for i, c in enumerate(columns) if c in self.json_columns]
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        if json_at:
                            values = list(row)
                            for i in json_at:
                                values[i] = orjson.dumps(values[i]).decode()
                            copy.write_row(_utc(values))
                        else:
                            copy.write_row(_utc(row))

    def _insert(self, raw: Any, batch: Rows) -> None:
        cursor = raw.cursor()
        for (table, columns), rows in zip(self.tables, batch, strict=True):
            json_at = {i for i, c in enumerate(columns) if c in self.json_columns}
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [_sqlite_row(row, json_at) for row in rows],
            )
        cursor.close()


def _utc(row: Row | list[Any]) -> list[Any]:
    """The simulation runs on Vietnam wall-clock times; the tables keep instants in UTC."""
    return [vn_clock.aware(v) if isinstance(v, datetime) else v for v in row]


def _sqlite_row(row: Row, json_at: set[int]) -> Row:
    return tuple(
        orjson.dumps(v).decode()
        if i in json_at
        else vn_clock.aware(v).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for i, v in enumerate(row)
    )
