"""The two-level report: its figures against the registry, the catalog and a count of the dossiers,
and the command that writes it as HTML and PDF."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from motcua import db
from motcua.cli import app
from motcua.clock import local_date
from motcua.demo import prepare_demo
from motcua.dossiers.models import Dossier
from motcua.dossiers.synthetic import generate_activity, rebuild_dossier_facts
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.synthetic import generate_feedback
from motcua.indicators.report.data import gather
from motcua.indicators.report.html import render_html
from motcua.indicators.report.pdf import render_pdf

TODAY = date(2026, 11, 24)
START, END = date(2026, 1, 1), date(2026, 11, 23)


def _dossiers(session: Session, province: str | None = None) -> list[Dossier]:
    query = select(Dossier).where(
        Dossier.submitted_at >= datetime(2026, 1, 1), Dossier.submitted_at < datetime(2026, 11, 24)
    )
    if province:
        query = query.where(Dossier.province_code == province)
    return list(session.scalars(query))


def test_report_figures_and_both_documents(empty_database_url: str, tmp_path: Path) -> None:
    prepare_demo(empty_database_url, dossiers=0)
    engine = db.make_engine(empty_database_url)
    generate_activity(engine, 1200, 12, datetime(2026, 11, 24, 12), seed=5, rebuild_facts=False)
    generate_feedback(engine, 400, 12, datetime(2026, 11, 24, 12), seed=5)
    rebuild_dossier_facts(engine)
    with db.session_factory(engine)() as s:
        national = gather(s, None, START, END, TODAY)
        filed = [m for m in s.scalars(select(FeedbackMessage)) if START <= local_date(m.filed_at) <= END]
        hue = gather(s, "46", START, END, TODAY)
        dossiers, hue_dossiers = _dossiers(s), _dossiers(s, "46")
        everything = list(s.scalars(select(Dossier)))
    assert national.units.provinces == (63, 34) and national.units.districts == (696, 0)
    assert national.units.communes == (10035, 3321)
    # Huế: 133 commune-level units became 40 (21 wards, 19 communes) (../shared/domain.md §1).
    assert hue.units.communes == (133, 40) and hue.units.new_communes_by_type == {"ward": 21, "commune": 19}
    assert national.centres["province"] == 34 and hue.centres["province"] == 1
    assert national.totals.received == len(dossiers) and hue.totals.received == len(hue_dossiers)
    assert national.by_channel == dict(Counter(d.channel for d in dossiers))
    assert sum(sum(row.values()) for row in national.by_level_and_channel.values()) == len(dossiers)
    assert sum(p.counts.received for p in national.trend) == len(dossiers)
    assert [p.month for p in national.trend][:2] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert len(national.ranking) == 34 and hue.rank == next(s.rank for s in national.ranking if s.unit == "46")
    late = Counter(
        d.procedure_code
        for d in everything
        if d.finished_at
        and d.outcome
        and d.due_on
        and (d.finished_at.date() > d.due_on or d.supplement_count > 1)
        and START <= d.finished_at.date() <= END
    )
    top = national.late_procedures[0]
    assert top.late == late[top.code] and top.late + top.overdue >= max(late.values())
    assert set(national.workload) == {s.unit for s in national.ranking}
    assert sum(sum(c.values()) for c in national.workload.values()) == 3321  # every commune has its line
    assert sum(hue.workload["46"].values()) == 40
    assert set(national.staff) == set(national.workload) and set(hue.staff) == {"46"}
    assert any(c["over_loaded"] for c in national.workload.values())
    # Feedback: every message of the period, per topic; the slowest agencies have late stages.
    assert national.feedback is not None and national.feedback.total.counts["received"] == len(filed)
    assert sum(t.counts["received"] for t in national.feedback.topics) == len(filed)  # five topics, all shown
    assert national.feedback.slowest and all(a.late + a.overdue > 0 for a in national.feedback.slowest)
    assert national.rates["satisfaction_rate"] is not None and national.totals.complained > 0

    html = render_html(hue, "vi")
    assert "Báo cáo vận hành chính quyền địa phương hai cấp" in html and "Thành phố Huế" in html
    assert 'id="feedback-topics"' in html and "Phản ánh đã tiếp nhận" in html
    assert 'id="staff"' in html and "Biên chế và điều động công chức xử lý hồ sơ" in html
    assert (
        html.count("<svg") == 3
        and 'id="map"' in html
        and "http://" not in html.split('id="map"')[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")
    )
    assert "Two-level local government" in render_html(national, "en")
    pdf = render_pdf(national, "fr")
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    assert str(reader.trailer["/Info"]["/Title"]).startswith("Administration locale à deux niveaux")
    assert int(reader.root["/Pages"]["/Count"]) >= 3

    out = tmp_path / "out"
    args = ["report", "two-level", "--province", "46", "--from", "2026-01-01", "--to", "2026-11-23"]
    result = CliRunner().invoke(app, [*args, "--output", str(out), "--url", empty_database_url])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["two-level-46-2026-01-01-2026-11-23.html", "two-level-46-2026-01-01-2026-11-23.pdf"]
    assert (out / written[1]).read_bytes().startswith(b"%PDF")
    engine.dispose()


def test_report_command_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})  # the error box unwrapped
    base = ["report", "two-level", "--from", "2026-01-01", "--to", "2026-11-23", "--output", str(tmp_path)]
    both = runner.invoke(app, [*base, "--national", "--province", "46"])
    assert both.exit_code == 2 and "--province CODE or --national" in both.output
    neither = runner.invoke(app, base)
    assert neither.exit_code == 2
    wrong = runner.invoke(
        app,
        ["report", "two-level", "--national", "--from", "2026-13-01", "--to", "2026-11-23", "--output", str(tmp_path)],
    )
    assert wrong.exit_code == 2 and "YYYY-MM-DD" in wrong.output
    backwards = runner.invoke(
        app,
        ["report", "two-level", "--national", "--from", "2026-11-23", "--to", "2026-01-01", "--output", str(tmp_path)],
    )
    assert backwards.exit_code == 2 and "before" in backwards.output
    assert list(tmp_path.iterdir()) == []  # nothing written
