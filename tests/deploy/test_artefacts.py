"""The shipped deployment files agree with the code and with each other: every MOTCUA_* variable the
compose file gives is a setting the app reads, every variable a configuration expects is given, every
file mounted exists, and the balancer's servers are services of the compose file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from motcua.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {f"MOTCUA_{name.upper()}" for name in Settings.model_fields}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _expected(config: Path) -> set[str]:
    return set(re.findall(r"\$\{(MOTCUA_[A-Z0-9_]+)\}", config.read_text()))


def test_the_apps_are_given_only_settings_that_exist() -> None:
    services = _compose()["services"]
    motcua = [s for s in services.values() if str(s.get("image", "")).startswith("motcua")]
    assert len(motcua) >= 5  # migrate, three apps, the worker
    for service in motcua:
        unknown = {k for k in service["environment"] if k.startswith("MOTCUA_")} - SETTINGS
        assert not unknown, f"not settings of motcua: {sorted(unknown)}"


def test_each_configuration_gets_the_variables_it_expects_and_its_files_exist() -> None:
    services = _compose()["services"]
    for name, config in (
        ("haproxy", ROOT / "deploy/haproxy.cfg"),
        ("nginx", ROOT / "deploy/nginx/motcua.conf.template"),
    ):
        given = set(services[name]["environment"])
        assert _expected(config) <= given, f"{name} lacks {sorted(_expected(config) - given)}"
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./deploy"):
                assert (ROOT / source).is_file(), f"{source} is mounted but not shipped"


def test_the_balancer_sends_to_services_that_exist() -> None:
    services = _compose()["services"]
    for key, value in services["haproxy"]["environment"].items():
        if re.fullmatch(r"MOTCUA_APP\d+", key):
            host = value.split(":")[0]
            assert host in services, f"{key} points at {host}, not a service"
    assert services["nginx"]["environment"]["MOTCUA_EDGE_UPSTREAM"].split(":")[0] in services
