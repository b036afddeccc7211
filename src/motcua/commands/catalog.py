"""``motcua catalog …``: procedures, decrees, agencies, centres and routing by competence."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from motcua.commands.common import DateOption, echo_json, parse_date

catalog_app = typer.Typer(no_args_is_help=True, help="Procedure catalog: import, export, decrees, routing.")
agencies_app = typer.Typer(no_args_is_help=True, help="Agencies and public-administration service centres.")
catalog_app.add_typer(agencies_app, name="agencies")

UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]
Format = Literal["json", "csv"]


def _factory(url: str | None) -> Any:
    from motcua import db

    return db.session_factory(db.make_engine(url))


def _fail(message: str, errors: list[str]) -> None:
    typer.echo(f"error: {message}", err=True)
    for e in errors:
        typer.echo(f"  - {e}", err=True)
    raise typer.Exit(1)


def _read(file: Path, changes: Path | None, fmt: Format | None) -> list[Any]:
    from motcua.catalog.formats import FormatError, read_csv, read_json

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    kind = fmt or ("csv" if file.suffix.lower() == ".csv" else "json")
    text = file.read_text(encoding="utf-8-sig")
    try:
        if kind == "csv":
            return read_csv(text, changes.read_text(encoding="utf-8-sig") if changes else None)
        return read_json(text)
    except FormatError as exc:
        _fail(f"{file} cannot be read", exc.errors)
        raise AssertionError("unreachable") from None


@catalog_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Catalog file (.json, or .csv of versions).")],
    changes: Annotated[Path | None, typer.Option(help="CSV of changes (decrees) for a CSV import.")] = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="Default: from the file name.")] = None,
) -> None:
    """Check a catalog file without loading it: format, numbering, periods, legal components."""
    from motcua.catalog.records import consistency_errors

    records = _read(file, changes, fmt)
    errors = [f"{r.code}: {e}" for r in records for e in consistency_errors(r)]
    if errors:
        _fail(f"{file}: {len(errors)} problem(s)", errors)
    drafts = sum(1 for r in records for v in r.versions if v.status == "draft")
    typer.echo(f"{file}: {len(records)} procedures valid ({drafts} draft versions)")


@catalog_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Catalog file (.json, or .csv of versions).")],
    changes: Annotated[Path | None, typer.Option(help="CSV of changes (decrees) for a CSV import.")] = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="Default: from the file name.")] = None,
    url: UrlOption = None,
) -> None:
    """Add or replace procedures, all or nothing: one error and the catalog is left untouched."""
    from motcua import db
    from motcua.catalog.service import CatalogError, import_records

    records = _read(file, changes, fmt)
    try:
        with db.transaction(_factory(url)) as session:
            result = import_records(session, records)
            _audit(session, "import_catalog", result)
    except CatalogError as exc:
        _fail(str(exc).split(":")[0], exc.errors)
    typer.echo(f"imported {len(result.codes)} procedures ({result.added} new, {result.replaced} replaced)")


def _audit(session: Any, action: str, result: Any) -> None:
    from motcua.audit.trail import record

    details = {"procedures": len(result.codes), "added": result.added, "replaced": result.replaced}
    record(session, action, details=details)


@catalog_app.command("import-national")
def import_national(
    file: Annotated[Path, typer.Argument(help="National portal data: details .jsonl.gz, or the subset .json.")],
    issues: Annotated[Path | None, typer.Option(help="Write every parsing issue here (JSON Lines).")] = None,
    url: UrlOption = None,
) -> None:
    """Import the national procedure catalog as published on the portal, reporting every field it cannot
    parse; versions lacking a legal component stay drafts."""
    from motcua import db
    from motcua.catalog.national import import_national as read
    from motcua.catalog.service import CatalogError, import_records

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    result = read(file)
    try:
        with db.transaction(_factory(url)) as session:
            imported = import_records(session, result.records)
            _audit(session, "import_national_catalog", imported)
    except CatalogError as exc:
        _fail(str(exc).split(":")[0], exc.errors)
    if issues:
        with issues.open("w", encoding="utf-8") as f:
            for issue in result.issues:
                f.write(json.dumps(issue.to_dict(), ensure_ascii=False) + "\n")
    by_field = Counter(i.field.split("[")[0] for i in result.issues)
    typer.echo(
        f"imported {len(imported.codes)} procedures ({imported.added} new, {imported.replaced} replaced); "
        f"{len(result.records) - result.drafts} published, {result.drafts} drafts; "
        f"{len(result.issues)} issues: " + ", ".join(f"{k} {v}" for k, v in by_field.most_common())
    )


@catalog_app.command("load-demo")
def load_demo(url: UrlOption = None) -> None:
    """Load the demo catalog (45 common citizen procedures from the national data)."""
    from motcua import db
    from motcua.catalog.service import load_demo as load

    with db.transaction(_factory(url)) as session:
        result = load(session)
    typer.echo(f"demo catalog: {result.added} new, {result.replaced} replaced")


@catalog_app.command("export")
def export(
    fmt: Annotated[Format, typer.Option("--format")] = "json",
    output: Annotated[Path | None, typer.Option(help="File (json) or directory (csv). Default: stdout (json).")] = None,
    url: UrlOption = None,
) -> None:
    """Write the catalog in the interchange format (see docs/catalog-format.md)."""
    from motcua.catalog.formats import write_csv, write_json
    from motcua.catalog.service import export_records

    with _factory(url)() as session:
        records = export_records(session)
    if fmt == "json":
        text = write_json(records)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return
    if output is None:
        raise typer.BadParameter("CSV export needs --output DIRECTORY", param_hint="--output")
    output.mkdir(parents=True, exist_ok=True)
    versions, changes = write_csv(records)
    (output / "procedures.csv").write_text(versions, encoding="utf-8")
    (output / "changes.csv").write_text(changes, encoding="utf-8")
    typer.echo(f"wrote {output / 'procedures.csv'} and {output / 'changes.csv'}")


@catalog_app.command("publish")
def publish(code: str, number: int, url: UrlOption = None) -> None:
    """Publish draft version NUMBER of procedure CODE (refused if a legal component is missing)."""
    from motcua import db
    from motcua.catalog.service import CatalogError, publish_version

    try:
        with db.transaction(_factory(url)) as session:
            publish_version(session, code, number)
    except CatalogError as exc:
        _fail(str(exc).split(":")[0], exc.errors)
    typer.echo(f"{code} version {number} published")


@catalog_app.command("change")
def change(
    code: str,
    decree: Annotated[str, typer.Option(help="Decree number, e.g. 120/2025/NĐ-CP.")],
    effective: Annotated[str, typer.Option(help="Effective date YYYY-MM-DD.")],
    kind: Annotated[Literal["moved", "time_limit", "abolished", "amended"], typer.Option()],
    to_level: Annotated[Literal["central", "province", "commune"] | None, typer.Option()] = None,
    from_level: Annotated[Literal["central", "province", "district", "commune"] | None, typer.Option()] = None,
    time_limit: Annotated[float | None, typer.Option(help="New time limit, in the version's unit.")] = None,
    verified: Annotated[bool, typer.Option(help="Checked against the gazette.")] = False,
    url: UrlOption = None,
) -> None:
    """Record a decree's change to a procedure; it produces the new version (or abolishes it)."""
    from motcua import db
    from motcua.catalog.records import ChangeRecord
    from motcua.catalog.service import CatalogError, apply_change

    record = ChangeRecord(
        decree=decree,
        effective_date=parse_date(effective),
        kind=kind,
        to_level=to_level,
        from_level=from_level,
        time_limit=time_limit,
        verified=verified,
    )
    try:
        with db.transaction(_factory(url)) as session:
            version = apply_change(session, code, record)
    except CatalogError as exc:
        _fail(str(exc).split(":")[0], exc.errors)
    typer.echo(
        f"{code}: {kind} by {decree} from {effective}"
        + (f"; version {version.number} ({version.status})" if version else "")
    )


@catalog_app.command("route")
def route(
    code: Annotated[str, typer.Argument(help="Procedure code, e.g. 1.001612.")],
    subject: Annotated[
        str,
        typer.Option(
            help="Where the subject lives or the property lies: a commune code, or an address (old or new) to convert."
        ),
    ],
    centre: Annotated[str, typer.Option(help="Identifier of the receiving centre, e.g. 000.00.01.H79.")],
    at: DateOption = None,
    url: UrlOption = None,
) -> None:
    """Who decides this procedure for this subject, along which path, in how long and for what fee."""
    from motcua.catalog.routing import RoutingRefused, SnapshotCache
    from motcua.catalog.routing import route as do_route
    from motcua.units.address import convert_address

    when = parse_date(at)
    commune = subject
    if not (subject.isdigit() and len(subject) == 5):
        converted = convert_address(subject, when)
        if converted.commune_code is None:
            names = ", ".join(c.name for c in converted.candidates)
            _fail(
                f"the address does not give one commune ({converted.status}: {converted.reason})",
                [f"candidates: {names}"] if names else [],
            )
        commune = converted.commune_code or ""
    try:
        result = do_route(SnapshotCache(_factory(url)).get(), code, commune, centre, when)
    except RoutingRefused as exc:
        _fail(f"{exc.code}: {exc.message}", [])
    echo_json(result.to_dict())


@catalog_app.command("report")
def report(at: DateOption = None, url: UrlOption = None) -> None:
    """Decentralisation report: per decree and level, what moved where and what was abolished."""
    from motcua.catalog.report import decentralisation_report

    with _factory(url)() as session:
        echo_json(decentralisation_report(session, parse_date(at)).to_dict())


@agencies_app.command("generate")
def generate(
    at: DateOption = None,
    template: Annotated[Path | None, typer.Option(help="Template TOML (default: the shipped one).")] = None,
    url: UrlOption = None,
) -> None:
    """Create the agencies and centres of every province and commune that are not there yet."""
    from motcua import db
    from motcua.catalog.agencies import generate as gen
    from motcua.catalog.agencies import load_template

    with db.transaction(_factory(url)) as session:
        result = gen(session, parse_date(at), load_template(template) if template else None)
    typer.echo(
        f"agencies: {result.agencies_added} added, {result.agencies_kept} kept; "
        f"centres: {result.centres_added} added, {result.centres_kept} kept"
    )


@agencies_app.command("centres")
def centres(
    province: Annotated[str, typer.Option(help="Province code.")],
    url: UrlOption = None,
) -> None:
    """List the service centres of a province with their identifiers."""
    from sqlalchemy import select

    from motcua.catalog.models import ServiceCentre

    with _factory(url)() as session:
        rows = session.scalars(
            select(ServiceCentre).where(ServiceCentre.province_code == province).order_by(ServiceCentre.identifier)
        )
        echo_json(
            [
                {
                    "identifier": c.identifier,
                    "name": c.name_vi,
                    "level": c.level,
                    "commune_code": c.commune_code,
                    "opening_hours": c.opening_hours,
                }
                for c in rows
            ]
        )


@catalog_app.command("decentralisation")
def decentralisation(
    record: Annotated[
        bool, typer.Option("--record", help="Record a change for each named procedure the catalog holds.")
    ] = False,
    url: UrlOption = None,
) -> None:
    """The 2025 decentralisation as the data holds it (the 451 procedures its legal bases name),
    beside the government's figures, with where the data falls short; ``--record`` first represents
    each named procedure the catalog holds by an (unverified) change of its own."""
    from motcua import db
    from motcua.catalog.decentralisation import compare
    from motcua.catalog.decentralisation import record as record_changes

    with db.transaction(_factory(url)) as session:
        if record:
            typer.echo(f"recorded {record_changes(session)} changes", err=True)
        echo_json(compare(session).to_dict())
