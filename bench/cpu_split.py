"""Where a request's CPU goes, while a load runs: the CPU seconds of the app's processes and of
PostgreSQL's (from /proc), and py-spy's samples of one app process (only while it holds the GIL, so
waiting is not counted) split by component — framework (uvicorn, Starlette, FastAPI, anyio,
asyncio, threads), motcua, SQLAlchemy, the driver (psycopg), templates (Jinja2), JSON (orjson, json),
pydantic, other. Used by ``portal_mix.py --profile``; needs ``pip install py-spy``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

PACKAGES = {  # top-level module of a frame → component
    "motcua": "motcua",
    "sqlalchemy": "SQLAlchemy",
    "psycopg": "driver",
    "psycopg_pool": "driver",
    "jinja2": "templates",
    "markupsafe": "templates",
    "json": "JSON",
    "orjson": "JSON",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    **dict.fromkeys(
        ("uvicorn", "starlette", "fastapi", "anyio", "asyncio", "httptools", "uvloop", "threading", "concurrent"),
        "framework",
    ),
}


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_pids() -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


def component(frame: str) -> str:
    """``"Connection.wait (psycopg/connection.py:495)"`` → ``"driver"``."""
    path = frame.rsplit("(", 1)[-1].rstrip(")")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    top = path.lstrip("/").split("/", 1)[0].split(".", 1)[0]
    return PACKAGES.get(top, "other")


def split(raw: str) -> Counter[str]:
    """Samples per component, each stack given to its innermost frame that belongs to a component."""
    shares: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        name = "other"
        for frame in reversed(stack.split(";")):
            name = component(frame)
            if name != "other":
                break
        shares[name] += int(n)
    return shares


class Profile:
    """Start before the load, stop after: CPU of the app and of PostgreSQL, py-spy on one worker."""

    def __init__(self, server_pid: int, seconds: int) -> None:
        spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if spy is None:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        spawned = [c for c in children(server_pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        self.workers = spawned or [server_pid]  # uvicorn's worker processes (not multiprocessing's tracker)
        self.out = Path(tempfile.mkdtemp()) / "raw.txt"
        self.app0, self.db0 = cpu_seconds(self.workers), cpu_seconds(postgres_pids())
        command = [spy, "record", "--gil", "-r", "100", "-d", str(seconds), "-f", "raw", "-o", str(self.out)]
        self.spy = subprocess.Popen(
            [*command, "-p", str(self.workers[0])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def report(self, requests: int) -> str:
        app = cpu_seconds(self.workers) - self.app0
        database = cpu_seconds(postgres_pids()) - self.db0
        self.spy.wait(60)
        shares = split(self.out.read_text()) if self.out.exists() else Counter()
        total = sum(shares.values()) or 1
        per = 1000 / max(requests, 1)
        lines = [
            f"    CPU per request: app {app * per:.2f} ms, PostgreSQL {database * per:.2f} ms ({requests:,} requests)",
            "    app CPU by component (py-spy, one worker, GIL held): "
            + ", ".join(f"{name} {100 * n / total:.0f}%" for name, n in shares.most_common()),
        ]
        return "\n".join(lines)
