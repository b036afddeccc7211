"""Real processes and a real network for the exchange tests: a node is a server and a relay worker,
each a ``motcua`` process with its own database; a TCP proxy of the test's own stands between two
nodes and can cut the link."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class NodeProcess:
    """``motcua serve`` and ``motcua worker`` for one member, on its database and port."""

    member: str
    database_url: str
    key_file: Path
    port: int
    logs: Path
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "MOTCUA_DATABASE_URL": self.database_url,
            "MOTCUA_EXCHANGE_MEMBER": self.member,
            "MOTCUA_EXCHANGE_KEY": str(self.key_file),
            "MOTCUA_SECURE_COOKIES": "0",
            "MOTCUA_RELAY_LEASE_SECONDS": "5",
            "MOTCUA_DB_POOL_SIZE": "5",
            "MOTCUA_SUBMISSIONS_PER_ACCOUNT": "100000",  # one test citizen sends a thousand dossiers
        }

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        self.starts += 1
        log = (self.logs / f"{self.member}-{args[0]}-{self.starts}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", *args], env=self._env(), stdout=log, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        self.server = self._spawn("serve", "--host", "127.0.0.1", "--port", str(self.port))
        self.worker = self._spawn("worker", "--interval", "0.2")
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/exchange/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.server.poll() is not None:
                raise RuntimeError(f"{self.member} did not start; see {self.logs}")
            time.sleep(0.1)

    def kill(self) -> None:
        """As a crash would: no clean shut-down."""
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(10)

    def stop(self) -> None:
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


@dataclass
class Proxy:
    """Forwards TCP from a local port to ``target``; ``cut()`` breaks every connection and refuses
    new ones until ``restore()``."""

    target: int
    port: int = field(default_factory=free_port)
    _open: bool = True
    _connections: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                client.close()  # the link is down: the connection is refused at once
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self._open = False
        with self._lock:
            for s in self._connections:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._connections.clear()

    def restore(self) -> None:
        self._open = True

    def close(self) -> None:
        self.cut()
        self._listener.close()
