"""Build the portal's front-end assets from the npm registry into the package (run at install time by
``setup.py``; by hand: ``python scripts/build_assets.py``).

The packages pinned in ``assets/package-lock.json`` are installed with ``npm ci`` (install scripts
off: nothing runs but the Sass compiler); ``assets/motcua.scss`` (GOV.UK Frontend with motcua's theme)
is compiled to ``src/motcua/web/static/dist/motcua.css``; the design system's script and the API
documentation's Swagger UI are copied beside it. Nothing is fetched when the portal runs. A stamp of
the inputs' checksums skips the work when nothing changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
DIST = ROOT / "src" / "motcua" / "web" / "static" / "dist"
MODULES = ASSETS / "node_modules"
# What the portal serves, from the installed packages: (source under node_modules, name in dist).
COPIED = [
    ("govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"),
]
OWN = ["favicon.svg", "init.mjs", "swagger-init.js"]  # motcua's own files, copied as they are


def _stamp() -> str:
    digest = hashlib.sha256()
    sources = [p for pattern in ("*.json", "*.scss", "*.svg", "*.mjs", "*.js") for p in ASSETS.glob(pattern)]
    for path in sorted([*sources, Path(__file__)]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            "motcua's assets are built with Node.js and npm (https://nodejs.org, or `apt-get install npm`): "
            "npm is not on the PATH"
        )
    return npm


def build(force: bool = False) -> bool:
    """Build the assets unless the stamp says they are current; whether anything was built."""
    stamp = _stamp()
    stamp_file = DIST / "STAMP"
    if not force and stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return False
    env = {**os.environ, "SCARF_ANALYTICS": "false", "npm_config_fund": "false", "npm_config_audit": "false"}
    lock_stamp = MODULES / ".motcua-lock"
    lock = hashlib.sha256((ASSETS / "package-lock.json").read_bytes()).hexdigest()
    if force or not lock_stamp.exists() or lock_stamp.read_text() != lock:
        subprocess.run([_npm(), "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ASSETS, env=env, check=True)
        lock_stamp.write_text(lock)
    DIST.mkdir(parents=True, exist_ok=True)
    sass = MODULES / ".bin" / "sass"
    subprocess.run(
        [str(sass), "--no-source-map", "--style=compressed", "--pkg-importer=node", "--quiet-deps",
         "motcua.scss", str(DIST / "motcua.css")],
        cwd=ASSETS, env=env, check=True,
    )  # fmt: skip
    for source, name in COPIED:
        shutil.copyfile(MODULES / source, DIST / name)
    for name in OWN:
        shutil.copyfile(ASSETS / name, DIST / name)
    stamp_file.write_text(stamp + "\n")
    return True


if __name__ == "__main__":
    built = build(force="--force" in sys.argv)
    print(f"assets {'built' if built else 'already current'} in {DIST.relative_to(ROOT)}")
