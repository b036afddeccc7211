"""Benchmark: the national portal's mixed workload against ``motcua serve`` (issue 14).

The mix, per request drawn at random by ``wrk``'s Lua script: procedure search 40% (varied queries,
with and without accents, with typos), public tracking by code 25%, a citizen's own dossiers 15%
(signed in), an official's work queue 10% (signed in, many communes), online submission 7%, an
official's step 3% (``assign``, valid for a dossier in processing, repeatable). Run on PostgreSQL with
≥ 1,000,000 dossiers (``motcua demo generate --dossiers 1000000 --months 12 --url …``), the load
generator on the same box, at each connection level; the bare framework's ceiling (a FastAPI app
answering a constant, same server settings) is measured in the same run, alternated, and printed
beside it as a ratio of the requests served (answered, not refused). Stuck requests are wrk's
timeouts (no answer within ``--timeout``); a refusal (503) is counted apart, and the refused client
waits its Retry-After before asking again, as a browser or a vendor's system would.

Run: ``.venv/bin/python bench/portal_mix.py --url postgresql+psycopg://postgres@127.0.0.1:5432/motcua_1m
[--levels 16,64,256,512,1024] [--seconds 10] [--edge] [--only KIND] [--profile]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import cpu_split
import wrk_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import select, text

from tests.deploy.cluster import Process, edge, free_port

# A benchmark server is a demo: sandbox payments, a development CA and generated keys are allowed.
os.environ.setdefault("MOTCUA_MODE", "demo")

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog.models import ServiceCentre
from motcua.dossiers.models import Dossier
from motcua.units.text import fold

PORT = 8766
WORKERS = 3
MIX = {"search": 40, "track": 25, "mine": 15, "queue": 10, "submit": 7, "step": 3}
BARE = """
from fastapi import FastAPI
from fastapi.responses import Response

app = FastAPI()


@app.get("/ok")
def ok() -> Response:
    return Response(b'{"ok":1}', media_type="application/json")
"""


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def prepare(url: str, rng: random.Random) -> dict[str, list[str]]:
    """Accounts, tokens and the request lists of each kind."""
    engine = db.make_engine(url)
    factory = db.session_factory(engine)
    tag = uuid.uuid4().hex[:6]
    out: dict[str, list[str]] = {k: [] for k in MIX}
    with db.transaction(factory) as s:
        names = s.scalars(text("SELECT name_vi FROM catalog_versions WHERE status = 'published' LIMIT 200")).all()
        for name in names:
            words = [w for w in name.split() if len(w) > 2][:4]
            if not words:
                continue
            phrase = " ".join(words[: rng.randint(2, max(2, len(words)))])
            for q in (phrase, fold(phrase), _typo(fold(phrase), rng)):
                out["search"].append("/api/v1/catalog/procedures?q=" + urllib.parse.quote(q) + "&limit=20")
        codes = s.scalars(text("SELECT code FROM dossiers TABLESAMPLE SYSTEM (1) LIMIT 2000")).all()
        out["track"] = [f"/api/v1/track/{c}" for c in codes]
        # Citizens who hold dossiers (by their ID number), officials of busy communes.
        ids = s.scalars(
            text("SELECT applicant_id_number FROM dossiers WHERE applicant_kind = 'citizen' LIMIT 200")
        ).all()
        citizen_tokens = [
            issue_token(s, create_user(s, f"mix-{tag}-c{i}", "citizen", personal_id=pid)) for i, pid in enumerate(ids)
        ]
        communes = s.execute(
            text(
                "SELECT deciding_commune_code, count(*) AS n FROM dossiers WHERE deciding_commune_code IS NOT NULL "
                "AND status = 'processing' GROUP BY deciding_commune_code ORDER BY n DESC LIMIT 40"
            )
        ).all()
        steps = []
        for i, (commune, _n) in enumerate(communes):
            officer = create_user(s, f"mix-{tag}-o{i}", "processing_officer", unit_code=f"{commune}.UBND")
            leader = create_user(s, f"mix-{tag}-l{i}", "leader", unit_code=f"{commune}.UBND")
            out["queue"].append(issue_token(s, officer))
            leader_token = issue_token(s, leader)
            for code in s.scalars(
                select(Dossier.code)
                .where(Dossier.deciding_commune_code == commune, Dossier.status == "processing")
                .limit(20)
            ):
                steps.append(json.dumps({"code": code, "token": leader_token, "user": officer.id}))
        out["step"] = steps
        centres = s.execute(
            select(ServiceCentre.identifier, ServiceCentre.commune_code)
            .where(ServiceCentre.level == "commune")
            .limit(50)
        ).all()
        out["submit"] = [json.dumps({"centre": c, "commune": k}) for c, k in centres]
        out["mine"] = citizen_tokens
    engine.dispose()
    return out


def lua(lists: dict[str, list[str]], mix: dict[str, int]) -> str:
    def arr(items: list[str]) -> str:
        return "{" + ",".join(json.dumps(x, ensure_ascii=False) for x in items) + "}"

    weights = ",".join(f'{{"{k}",{v}}}' for k, v in mix.items())
    form = json.dumps(  # UTF-8 as is: a Lua string takes no \u escapes
        {"business_name": "Tạp hóa", "business_address": "12 Lê Lợi", "activities": ["Bán lẻ"], "capital_vnd": 1},
        ensure_ascii=False,
    )
    return f"""
local lists = {{search={arr(lists["search"])}, track={arr(lists["track"])}, mine={arr(lists["mine"])},
  queue={arr(lists["queue"])}, submit={arr(lists["submit"])}, step={arr(lists["step"])}}}
local weights = {{{weights}}}
local citizen = lists.mine
local n = 0
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16) % 1000)
local function pick(t) return t[math.random(#t)] end
local function kind()
  local r = math.random(100)
  for _, w in ipairs(weights) do
    if r <= w[2] then return w[1] end
    r = r - w[2]
  end
  return "search"
end
local function field(json, name) return json:match('"' .. name .. '": "?([^",}}]+)"?') end
request = function()
  local k = kind()
  if k == "search" or k == "track" then
    return wrk.format("GET", pick(lists[k]))
  elseif k == "mine" then
    return wrk.format("GET", "/api/v1/dossiers?limit=20", {{["Authorization"] = "Bearer " .. pick(citizen)}})
  elseif k == "queue" then
    return wrk.format("GET", "/api/v1/dossiers?status=processing&limit=50",
      {{["Authorization"] = "Bearer " .. pick(lists.queue)}})
  elseif k == "submit" then
    local c = pick(lists.submit)
    n = n + 1
    local body = '{{"procedure_code":"1.001612","centre":"' .. field(c, "centre") .. '","subject_commune_code":"' ..
      field(c, "commune") .. '","applicant":{{"kind":"citizen","id_number":"079123456789","name":"Nguyễn Văn An"}},' ..
      '"form":{form}}}'
    return wrk.format("POST", "/api/v1/dossiers", {{["Authorization"] = "Bearer " .. pick(citizen),
      ["Content-Type"] = "application/json"}}, body)
  else
    local s = pick(lists.step)
    local body = '{{"user_id":' .. field(s, "user") .. '}}'
    return wrk.format("POST", "/api/v1/dossiers/" .. field(s, "code") .. "/transitions/assign",
      {{["Authorization"] = "Bearer " .. field(s, "token"), ["Content-Type"] = "application/json"}}, body)
  end
end
"""


def serve(app: str, env: dict[str, str], tmp: Path, factory: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", app, "--workers", str(WORKERS), "--port", str(PORT)]
    command += ["--log-level", "warning", "--no-access-log", "--backlog", "4096"]
    if factory:
        command.append("--factory")
    proc = subprocess.Popen(command, env=env, cwd=tmp)
    probe = "/api/v1/health" if factory else "/ok"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{probe}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


def recovered(url: str, token: str, within: float = 10) -> tuple[float, str]:
    """Milliseconds from the end of the load to the first answer 200 (refusals retried at once), and
    what the last failure was if none came: a server that recovers answers at once."""
    started = time.perf_counter()
    last = ""
    while time.perf_counter() - started < within:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=within) as answer:
                if answer.status == 200:
                    return (time.perf_counter() - started) * 1000, ""
        except urllib.error.HTTPError as exc:
            last = f"; last refusal {exc.code}"
        except OSError as exc:
            last = f"; {type(exc).__name__}"
        time.sleep(0.02)
    return float("inf"), last


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--levels", default="16,64,256,512,1024")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=5, help="a request unanswered this long is stuck")
    parser.add_argument("--only", choices=sorted(MIX), help="one kind of request alone, to see what it costs")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare framework's ceiling")
    parser.add_argument(
        "--edge", action="store_true", help="through the nginx edge (deploy/nginx): micro-cache of the public reads"
    )
    parser.add_argument("--profile", action="store_true", help="CPU per request and by component (py-spy)")
    args = parser.parse_args()
    rng = random.Random(14)
    lists = prepare(args.url, rng)
    script = lua(lists, {args.only: 100} if args.only else MIX) + wrk_report.STATUS_COUNTER
    tmp = Path(tempfile.mkdtemp(prefix="motcua-mix-"))
    (tmp / "bare_app.py").write_text(BARE)
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": args.url,
        "MOTCUA_STORAGE_DIR": str(tmp / "files"),
        "MOTCUA_SUBMISSIONS_PER_ACCOUNT": "1000000",
        "MOTCUA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp), os.environ.get("PYTHONPATH")])),
    }
    print(
        f"{'level':>6} {'served/s':>9} {'motcua req/s':>13} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'503':>6} {'stuck':>6}"
        f" {'bare req/s':>11} {'ratio':>6}"
    )
    for level in [int(x) for x in args.levels.split(",")]:
        threads = 2
        ceiling = {"rps": float("nan")}
        if not args.no_bare:
            bare = serve("bare_app:app", env, tmp, factory=False)
            try:
                ceiling = wrk_report.run(f"http://127.0.0.1:{PORT}/ok", "", args.seconds, level, threads, args.timeout)
            finally:
                stop(bare)
        server = serve("motcua.api.app:create_app", env, tmp, factory=True)
        front: Process | None = None
        target = f"http://127.0.0.1:{PORT}"
        try:
            if args.edge:
                listen = free_port()
                front = edge(listen, f"127.0.0.1:{PORT}", Path(tempfile.mkdtemp(dir=tmp)), tmp / "nginx.log")
                target = f"http://127.0.0.1:{listen}"
            wrk_report.run(target, script, 3, min(level, 64), threads, args.timeout)  # warm-up
            profile = cpu_split.Profile(server.pid, args.seconds) if args.profile else None
            mixed = wrk_report.run(target, script, args.seconds, level, threads, args.timeout)
            split = profile.report(int(mixed["requests"] - mixed["refused"])) if profile else ""
            recovery, last = recovered(f"http://127.0.0.1:{PORT}/api/v1/dossiers?limit=5", lists["mine"][0])
        finally:
            if front is not None:
                front.stop()
            stop(server)
        served = (mixed["requests"] - mixed["refused"]) / args.seconds  # answered, not refused
        print(
            f"{level:>6} {served:>9,.0f} {mixed['rps']:>13,.0f} {mixed['p50']:>8.1f} {mixed['p99']:>8.1f}"
            f" {mixed['errors'] - mixed['refused']:>7.0f} {mixed['refused']:>6.0f} {mixed['timeouts']:>6.0f}"
            f" {ceiling['rps']:>11,.0f} {served / ceiling['rps']:>6.2f}"
            f"   (after the load, a citizen's dossiers answered in {recovery:.0f} ms{last})",
            flush=True,
        )
        if split:
            print(split, flush=True)


if __name__ == "__main__":
    main()
