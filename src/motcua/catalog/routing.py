"""Routing by competence: for a procedure, a subject's location, a receiving centre and a date,
who decides, along which path, in how long and for what fee — or a refusal that says why.

Routing reads an in-memory snapshot of the catalog (procedures, agencies, centres), rebuilt when
the catalog's revision number changes, so that a request costs dictionary look-ups only.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from motcua.catalog.models import Agency, CatalogRevision, Procedure, ServiceCentre
from motcua.i18n import N_
from motcua.units import UnknownUnit, get_registry
from motcua.units.models import REORGANISATION_DATE, Unit

SNAPSHOT_CHECK_SECONDS = 2.0


class RoutingRefused(Exception):
    """A routing request that cannot be served: ``code`` for machines, ``message`` for people.

    ``template`` is an English message id (translated by the adapters) filled with ``details``."""

    def __init__(self, code: str, template: str, /, **details: Any) -> None:
        self.code, self.template, self.details = code, template, details
        self.message = template.format(**details)
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    status: str
    valid_from: date | None
    valid_to: date | None
    name_vi: str
    level: str
    time_limit: float | None
    time_limit_kind: str
    time_limit_text: str
    fees: tuple[dict[str, Any], ...]
    id: int = 0
    form_schema: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    name_en: str = ""
    name_fr: str = ""
    online: str = ""

    def in_force(self, at: date) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True, slots=True)
class ProcedureView:
    code: str
    field: str
    ministry: str
    abolished_on: date | None
    abolished_by: str | None
    versions: tuple[VersionView, ...]


@dataclass(frozen=True, slots=True)
class AgencyView:
    code: str
    name: str
    kind: str
    province_code: str
    commune_code: str | None
    fields: frozenset[str]
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive: a reorganisation ended it
    successor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind}

    def in_force(self, at: date) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True, slots=True)
class CentreView:
    identifier: str
    name: str
    level: str
    province_code: str
    commune_code: str | None
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive: a reorganisation ended it
    successor: str | None = None

    def in_force(self, at: date) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)


@dataclass
class CatalogSnapshot:
    revision: int
    procedures: dict[str, ProcedureView] = field(default_factory=dict)
    commune_agencies: dict[str, list[AgencyView]] = field(default_factory=dict)
    province_agencies: dict[str, list[AgencyView]] = field(default_factory=dict)
    centres: dict[str, CentreView] = field(default_factory=dict)
    agencies: dict[str, AgencyView] = field(default_factory=dict)

    def unit_name(self, code: str | None) -> str:
        """The name of an agency or a centre by its code (the code itself when unknown)."""
        if not code:
            return ""
        found = self.agencies.get(code) or self.centres.get(code)
        return found.name if found else code

    def centre_on(self, identifier: str, at: date) -> CentreView | None:
        """The centre that receives for ``identifier`` on ``at``: itself, or the centre that took it
        over when a reorganisation ended it."""
        centre = self.centres.get(identifier)
        seen = 0
        while centre is not None and not centre.in_force(at) and centre.successor and seen < 16:
            centre, seen = self.centres.get(centre.successor), seen + 1
        return centre

    def centres_in_force(self, at: date) -> list[CentreView]:
        return [c for c in self.centres.values() if c.in_force(at)]

    @classmethod
    def load(cls, session: Session) -> CatalogSnapshot:
        from motcua.units.stored import sync

        sync(session)  # the map with the resolutions applied (a resolution bumps the revision)
        snap = cls(revision=current_revision(session))
        for p in session.scalars(select(Procedure).options(selectinload(Procedure.versions))):
            snap.procedures[p.code] = ProcedureView(
                p.code,
                p.field,
                p.ministry,
                p.abolished_on,
                p.abolished_by,
                tuple(
                    VersionView(
                        v.number,
                        v.status,
                        v.valid_from,
                        v.valid_to,
                        v.name_vi,
                        v.level,
                        v.time_limit,
                        v.time_limit_kind,
                        v.time_limit_text,
                        tuple(v.fees),
                        v.id,
                        v.form_schema,
                        v.name_en or "",
                        v.name_fr or "",
                        v.online or "",
                    )
                    for v in p.versions
                ),
            )
        for a in session.scalars(select(Agency)):
            view = AgencyView(
                a.code,
                a.name_vi,
                a.kind,
                a.province_code,
                a.commune_code,
                frozenset(a.fields),
                a.valid_from,
                a.valid_to,
                a.successor,
            )
            snap.agencies[a.code] = view
            if a.commune_code:
                snap.commune_agencies.setdefault(a.commune_code, []).append(view)
            else:
                snap.province_agencies.setdefault(a.province_code, []).append(view)
        for c in session.scalars(select(ServiceCentre)):
            snap.centres[c.identifier] = CentreView(
                c.identifier, c.name_vi, c.level, c.province_code, c.commune_code, c.valid_from, c.valid_to, c.successor
            )
        return snap


def current_revision(session: Session) -> int:
    row = session.get(CatalogRevision, 1)
    return row.revision if row else 0


def bump_revision(session: Session) -> None:
    """Call in the transaction of every catalog write, so that routing snapshots are rebuilt."""
    row = session.get(CatalogRevision, 1)
    if row is None:
        session.add(CatalogRevision(id=1, revision=1))
    else:
        row.revision += 1
    session.flush()


class SnapshotCache:
    """One snapshot per process, checked against the database revision at most every 2 seconds.

    Only the first load blocks; later checks never do (see ``CalendarCache``), and they use the
    caller's session when given so that a request never needs a second connection."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._snapshot: CatalogSnapshot | None = None
        self._checked = 0.0
        self._loading = threading.Lock()

    def fresh(self) -> CatalogSnapshot | None:
        """The snapshot if it needs no check now (no database, no lock: safe on the event loop)."""
        snap = self._snapshot
        return snap if snap is not None and time.monotonic() - self._checked < SNAPSHOT_CHECK_SECONDS else None

    def get(self, session: Session | None = None) -> CatalogSnapshot:
        snap = self._snapshot
        now = time.monotonic()
        if snap is not None and (
            now - self._checked < SNAPSHOT_CHECK_SECONDS or not self._loading.acquire(blocking=False)
        ):
            return snap
        if snap is None:
            self._loading.acquire()
        try:
            if self._snapshot is not None and self._snapshot is not snap:
                return self._snapshot  # another thread loaded it while we waited
            if session is not None:
                self._refresh(session, now)
            else:
                with self.factory() as own:
                    self._refresh(own, now)
            assert self._snapshot is not None
            return self._snapshot
        finally:
            self._loading.release()

    def _refresh(self, session: Session, now: float) -> None:
        revision = current_revision(session)
        if self._snapshot is None or self._snapshot.revision != revision:
            self._snapshot = CatalogSnapshot.load(session)
        self._checked = now


@dataclass
class RouteStep:
    step: str  # reception | transfer | processing | return
    unit: str
    code: str | None
    note: str


@dataclass
class Route:
    procedure_code: str
    procedure_name: str
    version_number: int
    level: str
    subject: dict[str, Any]
    deciding_agency: dict[str, Any]
    handled_by: dict[str, Any] | None
    receiving_centre: dict[str, Any]
    path: list[RouteStep]
    time_limit: dict[str, Any]
    fees: list[dict[str, Any]]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _subject(code: str, at: date) -> tuple[Unit, str]:
    """The commune in force on ``at`` (an old one before 1 July 2025) and its new province."""
    reg = get_registry()
    try:
        commune = reg.get("commune", code, at=at)
    except UnknownUnit:
        ended = reg.find("commune", code, "new") if at >= REORGANISATION_DATE else None
        now = reg.in_force_successors(ended, at) if ended is not None else []
        if len(now) == 1:  # merged by a resolution since: its successor receives
            return now[0], now[0].province_code
        if now:
            raise RoutingRefused(
                "subject_split",
                N_("{subject} was split on {date}; choose the commune where the subject lies: {choices}."),
                subject=ended.name if ended else code,
                date=str(ended.valid_to if ended else at),
                choices=", ".join(f"{u.name} ({u.code})" for u in now),
            ) from None
        raise RoutingRefused(
            "unknown_subject", N_("{subject} is not the code of a commune in force on {at}."), subject=code, at=str(at)
        ) from None
    province = commune.province_code if commune.era == "new" else reg.new_province_of(commune.province_code).code
    return commune, province


def subject_province(code: str, at: date) -> str:
    """The (new) province of a commune, or ``RoutingRefused`` for a code that is not a commune on ``at``."""
    return _subject(code, at)[1]


def route(snapshot: CatalogSnapshot, procedure_code: str, subject_code: str, centre_identifier: str, at: date) -> Route:
    procedure = snapshot.procedures.get(procedure_code)
    if procedure is None:
        raise RoutingRefused("unknown_procedure", N_("No procedure with code {procedure}."), procedure=procedure_code)
    if procedure.abolished_on is not None and at >= procedure.abolished_on:
        raise RoutingRefused(
            "procedure_abolished",
            N_("Procedure {procedure} was abolished on {abolished_on} by {decree}."),
            procedure=procedure_code,
            abolished_on=str(procedure.abolished_on),
            decree=procedure.abolished_by,
        )
    version = next((v for v in procedure.versions if v.in_force(at)), None)
    if version is None:
        first = procedure.versions[0].valid_from if procedure.versions else None
        if first is not None and at < first:
            raise RoutingRefused(
                "before_procedure_existed",
                N_("Procedure {procedure} is in force from {valid_from}; there is nothing before that date."),
                procedure=procedure_code,
                valid_from=str(first),
            )
        raise RoutingRefused(
            "no_version_in_force",
            N_("No version of {procedure} is in force on {at}."),
            procedure=procedure_code,
            at=str(at),
        )
    if version.status != "published":
        raise RoutingRefused(
            "version_not_published",
            N_(
                "Version {number} of {procedure} is a draft (a legal component is missing) and cannot receive dossiers."
            ),
            number=version.number,
            procedure=procedure_code,
        )
    commune, province_code = _subject(subject_code, at)
    centre = snapshot.centre_on(centre_identifier, at)  # an ended centre: the one that took it over
    if centre is None:
        raise RoutingRefused(
            "unknown_centre", N_("No service centre with identifier {centre}."), centre=centre_identifier
        )
    reg = get_registry()
    province = reg.get("province", province_code, era="new")
    province_name = (province.version_at(max(at, REORGANISATION_DATE)) or province.current).name
    if centre.province_code != province_code:
        centre_province = reg.get("province", centre.province_code, era="new").name
        raise RoutingRefused(
            "centre_outside_province",
            N_(
                "{centre} is in {centre_province}; a dossier about "
                "{subject} ({subject_province}) is received by a centre of {subject_province}."
            ),
            centre=centre.name,
            centre_province=centre_province,
            subject=commune.name,
            subject_province=province_name,
        )

    deciding, handled_by, why = _deciding_agency(snapshot, procedure, version, commune, province_code, at)
    centre_dict = {"identifier": centre.identifier, "name": centre.name, "level": centre.level}
    same_place = version.level == "commune" and centre.commune_code == commune.code
    path = [
        RouteStep(
            "reception",
            centre.name,
            centre.identifier,
            "receives, checks and scans the dossier; gives a receipt with the appointment date",
        )
    ]
    if not same_place:
        path.append(
            RouteStep(
                "transfer",
                deciding["name"],
                deciding["code"],
                "sent the same working day (the next one if received after 15:00)",
            )
        )
    path.append(
        RouteStep(
            "processing",
            (handled_by or deciding)["name"],
            (handled_by or deciding)["code"],
            f"examines and decides for {deciding['name']}",
        )
    )
    path.append(RouteStep("return", centre.name, centre.identifier, "returns the result at the appointment, or online"))
    where = "the same commune" if same_place else "any centre of the province may receive it"
    reason = f"{why}. Received at {centre.name} ({where}); version {version.number} in force on {at}."
    return Route(
        procedure_code=procedure.code,
        procedure_name=version.name_vi,
        version_number=version.number,
        level=version.level,
        subject={
            "code": commune.code,
            "name": commune.name,
            "era": commune.era,
            "province_code": province_code,
            "province_name": province_name,
        },
        deciding_agency=deciding,
        handled_by=handled_by,
        receiving_centre=centre_dict,
        path=path,
        time_limit={"amount": version.time_limit, "kind": version.time_limit_kind, "text": version.time_limit_text},
        fees=list(version.fees),
        reason=reason,
    )


def _deciding_agency(
    snapshot: CatalogSnapshot,
    procedure: ProcedureView,
    version: VersionView,
    commune: Unit,
    province_code: str,
    at: date,
) -> tuple[dict[str, Any], dict[str, Any] | None, str]:
    reg = get_registry()
    level = version.level
    if commune.era == "old":
        # Before 1 July 2025: the old units, which have no agency records; name them.
        if level == "commune":
            return (
                {
                    "code": f"{commune.code}.UBND-old",
                    "name": f"Ủy ban nhân dân {commune.name}",
                    "kind": "commune_people_committee",
                },
                None,
                f"Commune-level procedure: decided by the People's Committee of {commune.name}",
            )
        if level == "district":
            district = reg.get("district", commune.district_code or "", era="old")
            return (
                {
                    "code": f"{district.code}.UBND-old",
                    "name": f"Ủy ban nhân dân {district.name}",
                    "kind": "district_people_committee",
                },
                None,
                f"District-level procedure (before 1 July 2025): decided by the People's Committee of "
                f"{district.name}, the district of {commune.name}",
            )
    if level == "district":
        raise RoutingRefused(
            "no_district_level",
            N_(
                "Districts no longer exist after 30 June 2025; this version "
                "of {procedure} is decided at the district level."
            ),
            procedure=procedure.code,
        )
    if level == "commune":
        agencies = [a for a in snapshot.commune_agencies.get(commune.code, []) if a.in_force(at)]
        if not agencies:
            raise RoutingRefused("no_agency", N_("No agency is recorded for {subject}."), subject=commune.name)
        committee = next(a for a in agencies if a.kind == "commune_people_committee")
        office: AgencyView | None = next((a for a in agencies if procedure.field in a.fields), None)
        if office is not None and office.kind == "commune_police":
            return (
                office.to_dict(),
                None,
                f"Commune-level procedure decided by the commune police: {office.name}, where the subject lives",
            )
        return (
            committee.to_dict(),
            office.to_dict() if office else None,
            f"Commune-level procedure: decided by the People's Committee of {commune.name}, where the subject "
            "lives or the property lies (not the receiving centre's commune)",
        )
    if level == "province":
        agencies = [a for a in snapshot.province_agencies.get(province_code, []) if a.in_force(at)]
        department = next((a for a in agencies if procedure.field in a.fields), None)
        fallback = next((a for a in agencies if a.kind == "provincial_people_committee"), None)
        chosen = department or fallback
        if chosen is None:
            raise RoutingRefused("no_agency", N_("No agency is recorded for {subject}."), subject=province_code)
        return (
            chosen.to_dict(),
            None,
            f"Provincial-level procedure ({procedure.field or 'no field'}): decided by {chosen.name}",
        )
    if level == "central":
        name = procedure.ministry or "the competent ministry"
        return (
            {"code": f"ministry:{name}", "name": name, "kind": "ministry"},
            None,
            f"Central-level procedure: decided by {name}",
        )
    return (
        {"code": "other", "name": "Cơ quan khác", "kind": "other"},
        None,
        "Decided by another agency named in the procedure",
    )


def procedure_name(snapshot: CatalogSnapshot, code: str, language: str = "vi") -> str:
    """A procedure's name as its latest version gives it, in ``language`` where the catalog has it
    (Vietnamese otherwise), or its code if the catalog does not know it."""
    p = snapshot.procedures.get(code)
    if not p or not p.versions:
        return code
    latest = p.versions[-1]
    return {"en": latest.name_en, "fr": latest.name_fr}.get(language, "") or latest.name_vi


@dataclass(frozen=True)
class Deciding:
    """Who decides a procedure for a person, as far as what is known of them tells."""

    agency: dict[str, Any] | None  # None: it depends on the person's commune, not yet known
    handled_by: dict[str, Any] | None
    level: str


def who_decides(
    snapshot: CatalogSnapshot, procedure_code: str, province_code: str, commune_code: str | None, at: date
) -> Deciding | None:
    """The deciding agency of the version in force for a person of ``province_code`` (and of
    ``commune_code`` when known): the same rules as ``route``, without a receiving centre. None when
    the procedure has no version in force."""
    procedure = snapshot.procedures.get(procedure_code)
    version = next((v for v in procedure.versions if v.in_force(at)), None) if procedure else None
    if procedure is None or version is None:
        return None
    if commune_code is not None:
        try:
            commune, province = _subject(commune_code, at)
            agency, handled_by, _why = _deciding_agency(snapshot, procedure, version, commune, province, at)
        except RoutingRefused:
            return Deciding(None, None, version.level)
        return Deciding(agency, handled_by, version.level)
    if version.level == "province":
        agencies = [a for a in snapshot.province_agencies.get(province_code, []) if a.in_force(at)]
        chosen = next((a for a in agencies if procedure.field in a.fields), None) or next(
            (a for a in agencies if a.kind == "provincial_people_committee"), None
        )
        return Deciding(chosen.to_dict() if chosen else None, None, version.level)
    if version.level == "central":
        name = procedure.ministry or "the competent ministry"
        return Deciding({"code": f"ministry:{name}", "name": name, "kind": "ministry"}, None, version.level)
    return Deciding(None, None, version.level)
