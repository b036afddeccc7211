"""Metadata lives in pyproject.toml; this only builds the front-end assets (scripts/build_assets.py)
before the package's files are collected, so that every install ships them."""

from __future__ import annotations

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        script = Path(__file__).resolve().parent / "scripts" / "build_assets.py"
        if script.exists():  # a source tree (an sdist built without the script has its assets already)
            runpy.run_path(str(script))["build"]()
        super().run()


setup(cmdclass={"build_py": BuildPyWithAssets})
