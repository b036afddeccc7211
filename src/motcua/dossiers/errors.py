"""Refusals of dossier operations: a machine code, an English message id and its parameters
(translated by the adapters), never personal data."""

from __future__ import annotations

from typing import Any


class DossierError(Exception):
    status = 422

    def __init__(self, error_code: str, template: str, /, **details: Any) -> None:
        self.code, self.template, self.details = error_code, template, details
        self.message = template.format(**details)
        super().__init__(self.message)


class NotFound(DossierError):
    status = 404


class Forbidden(DossierError):
    status = 403


class Conflict(DossierError):
    status = 409
