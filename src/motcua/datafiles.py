"""Data shipped with the package that a deployment may replace with its own file (rates, the index's
thresholds, the legacy field names): one reader for all of them."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


def read_toml(path: str | Path | None, package: str, resource: str) -> dict[str, Any]:
    """The TOML file at ``path`` if given, else the package's own ``resource``."""
    if path:
        return tomllib.loads(Path(path).read_text("utf-8"))
    return tomllib.loads(resources.files(package).joinpath(resource).read_text("utf-8"))
