"""A refused dossier form told field by field, in the page's language: the service's problems say
which part was refused (``form.child.name: …``, ``applicant.id_number: …``); this module finds each
field of the page they belong to and says what to do in words a citizen reads, for the error summary
at the top (linked to the field) and the message above the field itself.

The declaration is checked here against the JSON Schema of the version the page shows (the
validator's kind and limit are what the page needs; the service's text is English, for logs and the
API), whatever part the service stopped at."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from motcua.catalog.declaration import validator_for
from motcua.i18n import N_
from motcua.web.schema_form import Field

# The page's own fields, by the service's name for them: the field's id and what to do.
APPLICANT_FIELDS = {
    "applicant.name": ("applicant_name", N_("Enter your full name.")),
    "applicant.id_number": (
        "applicant_id",
        N_("Enter the 12 digits of your personal identification number, as printed on your ID card."),
    ),
    "applicant.phone": ("applicant_phone", N_("Enter a Vietnamese phone number, e.g. 0912 345 678.")),
    "applicant.email": ("applicant_email", N_("Enter an e-mail address like name@example.vn.")),
    "applicant.channels": ("notify-email", N_("Give an e-mail address or a phone number for the messages you chose.")),
    "subject_address": ("subject_address", N_("Enter the address concerned, with its commune and province.")),
}

# The feedback form's fields, by the service's name for them (``feedback.messages.request_problems``)
# or by the code of a refusal that concerns one field.
FEEDBACK_FIELDS = {
    "about": ("about", N_("Choose what the message is about.")),
    "about_ref": ("about_ref", N_("Give the code of the procedure, the dossier or the agency it is about.")),
    "unknown_dossier": ("about_ref", N_("No dossier has this code: check it on your receipt.")),
    "unknown_agency": ("about_ref", N_("No agency has this code.")),
    "commune_code": ("commune_code", N_("This is not the code of a commune or ward in force.")),
    "no_place": ("place_address", N_("Say which commune or ward the message concerns, or give its address.")),
    "title": ("title", N_("Give a title of 3 to 200 characters.")),
    "body": ("body", N_("Say what happened, in 10 to 10,000 characters.")),
    "sender.name": ("name", N_("Enter your full name: the law requires it (it is never published).")),
    "sender.address": ("address", N_("Enter your address: the law requires it (it is never published).")),
    "sender.phone": ("phone", N_("Enter a Vietnamese phone number, e.g. 0912 345 678.")),
    "sender.email": ("email", N_("Enter an e-mail address like name@example.vn.")),
}

# What each kind of schema check asks of the citizen.
SCHEMA_MESSAGES = {
    "required": N_("Enter {label}."),
    "maxLength": N_("{label}: at most {limit} characters."),
    "minLength": N_("{label}: at least {limit} characters."),
    "maximum": N_("{label}: at most {limit}."),
    "exclusiveMaximum": N_("{label}: less than {limit}."),
    "minimum": N_("{label}: at least {limit}."),
    "exclusiveMinimum": N_("{label}: more than {limit}."),
    "type": N_("{label}: enter a number."),
    "format": N_("{label}: enter a real date (day, month and year)."),
    "x-not-future": N_("{label}: this date is in the future."),
    "x-personal-id": N_(
        "{label}: enter the 12 digits of the personal identification number as printed on the ID card."
    ),
    "pattern": N_("{label} is not in the expected form."),
    "enum": N_("{label}: choose one of the options."),
    "minItems": N_("{label}: give at least {limit}."),
    "maxItems": N_("{label}: give at most {limit}."),
}
OTHER = N_("{label} is not valid.")


@dataclass
class FieldErrors:
    """Messages by field name (``_field.html`` shows each above its field), the summary's entries
    (message, id of the field it links to) in the order of the page, and the service's problems that
    belong to no field of the page (shown as they are)."""

    by_name: dict[str, str]
    summary: list[tuple[str, str]]
    untold: list[str]


def field_errors(
    schema: dict[str, Any],
    data: dict[str, Any],
    fields: Iterable[Field],
    problems: Iterable[str],
    translate: Callable[[str], str],
) -> FieldErrors:
    labels = dict(_labels(fields))
    by_name: dict[str, str] = {}
    summary: list[tuple[str, str]] = []
    untold: list[str] = []
    for problem in problems:
        where = problem.split(":", 1)[0]
        if where in APPLICANT_FIELDS:
            if where not in by_name:
                field_id, text = APPLICANT_FIELDS[where]
                by_name[where] = translate(text)
                summary.append((by_name[where], field_id))
        elif not where.startswith("form."):  # the declaration's problems are told from the schema below
            untold.append(problem)
    # The declaration is checked too whatever the service stopped at (it checks the applicant before
    # routing to the version whose form it then checks): every problem is told at once.
    for name, kind, limit in _schema_problems(schema, data):
        if name in by_name:
            continue
        label = labels.get(name, name.rsplit(".", 1)[-1])
        by_name[name] = translate(SCHEMA_MESSAGES.get(kind, OTHER)).format(label=label, limit=limit)
        summary.append((by_name[name], "f-" + name.replace(".", "-")))
    return FieldErrors(by_name, summary, untold)


def known_field_errors(
    problems: Iterable[str], table: dict[str, tuple[str, str]], translate: Callable[[str], str]
) -> FieldErrors:
    """A form's refusal told at its fields: each problem (``where: what``, or a refusal's code) whose
    ``where`` the table knows gets the table's message, keyed by the field's id; the rest stay as
    they are."""
    by_name: dict[str, str] = {}
    summary: list[tuple[str, str]] = []
    untold: list[str] = []
    for problem in problems:
        where = problem.split(":", 1)[0].strip()
        if where in table:
            field_id, text = table[where]
            if field_id not in by_name:
                by_name[field_id] = translate(text)
                summary.append((by_name[field_id], field_id))
        else:
            untold.append(problem)
    return FieldErrors(by_name, summary, untold)


def _labels(fields: Iterable[Field]) -> Iterable[tuple[str, str]]:
    for f in fields:
        yield f.name, f.label
        yield from _labels(f.children)


def _schema_problems(schema: dict[str, Any], data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(field name, kind of check, its limit) for each check the data fails, a missing property named
    by its own path."""
    found = []
    for e in validator_for(schema).iter_errors(data):
        path = [str(p) for p in e.absolute_path]
        if e.validator == "required":
            present = e.instance if isinstance(e.instance, dict) else {}
            for key in e.validator_value:
                if key not in present:
                    found.append((".".join([*path, key]), "required", None))
        else:
            found.append((".".join(path), str(e.validator), e.validator_value))
    return sorted(found, key=lambda f: f[0])
