"""A motcua deployment on loopback, made of real parts: a PostgreSQL primary and its streaming replica
(clusters of their own, made by initdb and pg_basebackup), PgBouncer, several ``motcua serve`` hosts,
HAProxy and the nginx edge with the shipped configurations (``deploy/``). The portal mix benchmark
(``bench/portal_mix.py``) starts its edge from here too."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PG_BIN = (
    Path("/usr/lib/postgresql")
    / (sorted(os.listdir("/usr/lib/postgresql"))[-1] if Path("/usr/lib/postgresql").is_dir() else "none")
    / "bin"
)


def need(*programs: str) -> None:
    """Skip on a newcomer's machine without these programs; CI must have them (``.ci/run`` installs)."""
    missing = [p for p in programs if shutil.which(p) is None and not (PG_BIN / p).exists()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the deployment tests: missing {', '.join(missing)}")
        pytest.skip(f"needs {', '.join(missing)} (Debian packages)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(probe: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{probe} did not answer within {seconds} s")


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: CI runs as root, a newcomer as themselves.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PgCluster:
    """A PostgreSQL cluster of its own, on a free port, in a folder the ``postgres`` user owns."""

    def __init__(self, root: Path, name: str) -> None:
        self.dir = root / name
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(_as_postgres(list(command)), check=True, capture_output=True)

    def init_primary(self) -> PgCluster:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        with open(self.dir / "postgresql.conf", "a") as f:
            f.write(
                "listen_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
                f"unix_socket_directories = '{self.dir}'\n"
            )
        with open(self.dir / "pg_hba.conf", "a") as f:
            f.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def init_replica_of(self, primary: PgCluster) -> PgCluster:
        self._run(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.dir),
            "--checkpoint=fast",  # the default waits for a spread checkpoint: minutes on an idle primary
            "-R",
            "-X",
            "stream",
            "--no-sync",
        )
        with open(self.dir / "postgresql.conf", "a") as f:
            f.write(f"unix_socket_directories = '{self.dir}'\n")
        return self

    def start(self) -> None:
        log = self.dir.parent / f"{self.dir.name}.log"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(log), "-o", f"-p {self.port}", "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop"]), capture_output=True
        )


def cluster_root() -> Path:
    """A folder the ``postgres`` user may enter (pytest's own temporary folders are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="motcua-deploy-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    return root


class Process:
    """A server process of the deployment, stopped (or killed) by the test."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )

    def kill(self) -> None:
        """As a host dies: no goodbye to anyone."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the workers die after their leader: wait for the whole group
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.005)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def app_host(port: int, env: dict[str, str], log: Path) -> Process:
    command = [str(Path(sys.executable).parent / "motcua"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    host = Process(command, env, log)
    wait_for(f"http://127.0.0.1:{port}/api/v1/ready", 60)
    return host


def edge(listen: int, upstream: str, root: Path, log: Path) -> Process:
    """nginx with the shipped template (``deploy/nginx/motcua.conf.template``), rendered as the official
    image renders it (the MOTCUA_* variables only), inside a minimal main configuration."""
    template = (DEPLOY / "nginx" / "motcua.conf.template").read_text()
    folder = root / "nginx"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    values = {
        "MOTCUA_EDGE_LISTEN": f"127.0.0.1:{listen}",
        "MOTCUA_EDGE_UPSTREAM": upstream,
        "MOTCUA_EDGE_CACHE": str(folder / "cache"),
    }
    (folder / "motcua.conf").write_text(re.sub(r"\$\{(MOTCUA_[A-Z_]+)\}", lambda m: values[m.group(1)], template))
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers write the cache beside the test's files
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 2;\nerror_log {folder}/logs/error.log warn;\npid {folder}/nginx.pid;\n"
        f"events {{ worker_connections 16384; }}\nhttp {{\n  access_log off;\n  include {folder}/motcua.conf;\n}}\n"
    )
    proc = Process(
        ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"], {**os.environ}, log
    )
    wait_for(f"http://127.0.0.1:{listen}/api/v1/health", 30)
    return proc


def haproxy(bind: int, apps: list[int], log: Path) -> Process:
    env = {**os.environ, "MOTCUA_LB_BIND": f"127.0.0.1:{bind}"}
    env.update({f"MOTCUA_APP{i + 1}": f"127.0.0.1:{port}" for i, port in enumerate(apps)})
    proc = Process(["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")], env, log)
    wait_for(f"http://127.0.0.1:{bind}/api/v1/ready", 30)
    return proc


def pgbouncer(root: Path, listen: int, primary: PgCluster, database: str) -> Process:
    """PgBouncer from the shipped configuration, pointed at ``primary`` and listening on ``listen``."""
    shipped = (DEPLOY / "pgbouncer.ini").read_text()
    config = shipped.replace(
        "motcua = host=127.0.0.1 port=5432 dbname=motcua",
        f"{database} = host=127.0.0.1 port={primary.port} dbname={database}",
    )
    config = config.replace("listen_port = 6432", f"listen_port = {listen}")
    assert config != shipped
    folder = root / "pgbouncer"
    folder.mkdir()
    (folder / "pgbouncer.ini").write_text(config)
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    if os.geteuid() == 0:  # pgbouncer refuses root too
        for path in (folder, folder / "pgbouncer.ini", folder / "userlist.txt"):
            shutil.chown(path, "postgres", "postgres")
    program = shutil.which("pgbouncer") or "pgbouncer"
    proc = Process(
        _as_postgres([program, str(folder / "pgbouncer.ini")]), dict(os.environ), root / "pgbouncer.log", cwd=folder
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", listen)) == 0:
                return proc
        time.sleep(0.2)
    raise RuntimeError("pgbouncer did not start")
