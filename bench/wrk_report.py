"""Run ``wrk`` (Debian's package) with a Lua script and read its report: requests per second, p50 and
p99 latency in milliseconds, non-2xx answers and the number of requests. Shared by the HTTP benchmarks."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

# Counts the answers by status, and behaves like a client that honours Retry-After: a connection
# refused with 503 waits that long before its next request (wrk calls delay() for the next request of
# the connection whose response() just ran).
STATUS_COUNTER = """
threads_ = {}
statuses = {}
wait_ms = 0
function setup(thread) table.insert(threads_, thread) end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 then wait_ms = 1000 * (tonumber(headers["retry-after"] or headers["Retry-After"]) or 1) end
end
function delay()
  local ms = wait_ms
  wait_ms = 0
  return ms
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads_) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("status %d %d\\n", code, n)) end
end
"""


def run(
    url: str, script: str, seconds: int, connections: int, threads: int = 2, timeout: int | None = None
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s"]
        if timeout:
            command += ["--timeout", f"{timeout}s"]
        done = subprocess.run([*command, "--latency", "-s", f.name, url], capture_output=True, text=True, check=True)
        out = done.stdout
        if ".lua:" in done.stderr or ".lua:" in out:  # wrk runs its default request when the script fails
            raise RuntimeError(f"the wrk script does not load: {(done.stderr or out)[:300]}")
    finally:
        os.unlink(f.name)
    return parse(out)


def parse(out: str) -> dict[str, float]:
    def ms(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    return {
        "refused": statuses.get(503, 0),  # counted by STATUS_COUNTER when the script includes it
        "timeouts": int(socket.group(4)) if socket else 0,
        "socket_errors": sum(int(socket.group(i)) for i in (1, 2, 3)) if socket else 0,
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "requests": total,
    }
