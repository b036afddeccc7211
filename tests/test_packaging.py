"""Every data file of the source tree is declared to ship in the wheel (a file the code reads at run
time but the wheel lacks works in a checkout and fails once installed)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"


def _packages_of(path: Path) -> list[Path]:
    """The folders holding ``path`` up to ``motcua``: setuptools matches a pattern of any of them
    (``motcua`` with ``notifications/data/*.toml`` ships a namespace package's data)."""
    folders, folder = [], path.parent
    while folder != SOURCE:
        folders.append(folder)
        folder = folder.parent
    return folders


def test_every_data_file_is_in_the_package_data() -> None:
    declared: dict[str, list[str]] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    missing = []
    for path in sorted((SOURCE / "motcua").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc", ".mo") or "__pycache__" in path.parts:
            continue
        if not any(
            fnmatch.fnmatch(path.relative_to(folder).as_posix(), pattern)
            for folder in _packages_of(path)
            for pattern in declared.get(".".join(folder.relative_to(SOURCE).parts), [])
        ):
            missing.append(path.relative_to(SOURCE).as_posix())
    assert not missing, "data files not in [tool.setuptools.package-data]:\n" + "\n".join(missing)
