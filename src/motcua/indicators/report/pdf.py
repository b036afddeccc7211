"""The report as a PDF (fpdf2, Roboto for the Vietnamese diacritics): the same sections as the HTML,
the charts as images and the map as vector paths."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import font_roboto
from fpdf import FPDF
from fpdf.fonts import FontFace

from motcua.feedback.labels import ABOUT_NAMES
from motcua.i18n import Language, gettext_for
from motcua.indicators.report.charts import CHANNELS, figures
from motcua.indicators.report.data import TwoLevelReport

HEADINGS = FontFace(emphasis="BOLD", fill_color=(225, 235, 245))


def _pct(v: float | None) -> str:
    return f"{v * 100:.1f} %" if v is not None else "—"


def _num(v: int) -> str:
    return f"{v:,}".replace(",", ".")


class _Report(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer
        self.add_font("Roboto", "", font_roboto.Roboto)
        self.add_font("Roboto", "B", font_roboto.RobotoBold)
        self.add_font("Roboto", "I", font_roboto.RobotoItalic)
        self.set_auto_page_break(True, 15)
        self.set_margins(18, 15, 18)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Roboto", "I", 8)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")

    def heading(self, text: str) -> None:
        if self.get_y() > 240:
            self.add_page()
        self.ln(4)
        self.set_font("Roboto", "B", 13)
        self.set_text_color(33, 102, 172)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def text_line(self, text: str, size: int = 10, style: str = "") -> None:
        self.set_font("Roboto", style, size)
        self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        widths: Sequence[int] | None = None,
        text_columns: int = 1,
    ) -> None:
        """A table; the first ``text_columns`` columns are left-aligned, the numbers right-aligned."""
        self.set_font("Roboto", "", 9)
        count = len(header) if header else len(rows[0])
        aligns = tuple("LEFT" if i < text_columns else "RIGHT" for i in range(count))
        with self.table(
            col_widths=widths,
            text_align=aligns,
            headings_style=HEADINGS,
            line_height=5.5,
            padding=1,
            first_row_as_headings=header is not None,
        ) as table:
            if header is not None:
                table.row(list(header))
            for values in rows:
                table.row(list(values))
        self.ln(2)

    def picture(self, data: bytes, width: float) -> None:
        height = width * 0.5
        if self.get_y() + height > 280:
            self.add_page()
        self.image(io.BytesIO(data), x=(self.w - width) / 2, w=width)
        self.ln(2)


def render_pdf(report: TwoLevelReport, language: Language = "vi") -> bytes:
    _: Callable[[str], str] = gettext_for(language).gettext
    drawn = figures(report, _, "png", pdf_font="Roboto")
    title = _("Two-level local government: operation report")
    pdf = _Report(f"motcua · {report.scope_name} · {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y}")
    pdf.set_title(f"{title} — {report.scope_name}")
    pdf.set_creator("motcua")
    pdf.set_font("Roboto", "B", 17)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.text_line(
        f"{report.scope_name} · {report.start:%d/%m/%Y} – {report.end:%d/%m/%Y} · "
        f"{_('made on')} {report.made_at:%d/%m/%Y %H:%M}",
        11,
    )
    r, rates = report, report.rates
    key = [
        (_("Dossiers received"), _num(r.totals.received)),
        (_("Online submission rate"), _pct(rates["online_rate"])),
        (_("On-time rate"), _pct(rates["on_time_rate"])),
        (_("Online payment rate"), _pct(rates["online_payment_rate"])),
        (_("Satisfaction"), _pct(rates["satisfaction_rate"])),
        (_("Digitisation of dossiers"), _pct(rates["digitisation_rate"])),
        (_("Dossiers reusing documents already held"), _pct(rates.get("reuse_rate"))),
        (_("Procedures published with all their components"), _pct(rates.get("catalog_published_rate"))),
        (_("Status changes reported to the national portal in time"), _pct(rates.get("status_reported_rate"))),
    ]
    if r.rank:
        key.append((_("Rank among the 34 provinces"), str(r.rank)))
    pdf.ln(2)
    pdf.grid(None, key, (110, 64))

    pdf.heading(_("Administrative units before and after 1 July 2025"))
    u = r.units
    pdf.grid(
        ["", _("Before"), _("After")],
        [
            (_("Provinces and cities"), str(u.provinces[0]), str(u.provinces[1])),
            (_("Districts"), _num(u.districts[0]), str(u.districts[1])),
            (_("Communes, wards and towns"), _num(u.communes[0]), _num(u.communes[1])),
            (_("Provincial departments"), "—", str(u.departments_after)),
        ],
        (94, 40, 40),
    )
    types = u.new_communes_by_type
    pdf.text_line(
        _("After: {communes} communes, {wards} wards, {zones} special zones.").format(
            communes=types.get("commune", 0), wards=types.get("ward", 0), zones=types.get("special_zone", 0)
        )
        + (" " + _("Merged from: {names}.").format(names=", ".join(u.old_provinces)) if u.old_provinces else ""),
        9,
        "I",
    )

    pdf.heading(_("Public-administration service centres"))
    pdf.grid(
        None,
        [
            (_("Provincial centres"), str(r.centres.get("province", 0))),
            (_("Commune centres"), _num(r.centres.get("commune", 0))),
            (_("Reception points of a provincial centre"), str(r.centres.get("point", 0))),
        ],
        (134, 40),
    )

    pdf.heading(_("Dossiers by channel and level"))
    channel_names = {"online": _("Online"), "in_person": _("In person"), "postal": _("By post")}
    level_names = {"commune": _("Commune level"), "province": _("Provincial level"), "central": _("Central level")}
    pdf.grid(
        ["", *(channel_names[c] for c in CHANNELS)],
        [
            (level_names.get(level, _("Other")), *(_num(row.get(c, 0)) for c in CHANNELS))
            for level, row in r.by_level_and_channel.items()
        ],
    )
    pdf.picture(drawn.channels, 150)

    pdf.heading(_("Month by month"))
    pdf.picture(drawn.trend, 170)

    if pdf.get_y() > 140:  # the map and its heading on one page
        pdf.add_page()
    pdf.heading(_("On-time rate by province"))
    pdf.image(io.BytesIO(drawn.map_svg.encode("utf-8")), x=(pdf.w - 100) / 2, w=100)
    pdf.ln(2)

    pdf.heading(_("Ranking of the provinces") if r.scope == "national" else _("The communes of the province"))
    pdf.grid(
        ["#", _("Unit"), _("Index"), _("Received"), _("Online submission rate"), _("On-time rate")],
        [
            (
                str(s.rank),
                r.names.get(s.unit, s.unit),
                f"{s.percent:.1f}",
                _num(s.counts.received),
                _pct(s.rates["online_rate"]),
                _pct(s.rates["on_time_rate"]),
            )
            for s in r.ranking
        ],
        (10, 60, 20, 26, 30, 28),
        text_columns=2,
    )

    pdf.heading(_("Procedures decentralised"))
    d = r.decentralisation
    levels = ", ".join(f"{level} {n}" for level, n in d.procedures_by_level.items())
    pdf.text_line(f"{_('Procedures in force by level on {day}:').format(day=f'{r.end:%d/%m/%Y}')} {levels}.")
    pdf.text_line(
        _("Moved to another level: {moved}; abolished: {abolished}.").format(
            moved=d.moved_total, abolished=d.abolished_total
        )
    )
    if d.decrees:
        pdf.grid(
            [_("Decree"), _("Moved"), _("Abolished")],
            [
                (
                    line.decree,
                    "; ".join(f"{k.replace('→', ' > ')}: {v}" for k, v in line.moved.items()),
                    str(line.abolished),
                )
                for line in d.decrees
            ],
            (60, 84, 30),
        )

    pdf.heading(_("Where dossiers are late"))
    late_header = [_("Decided late"), _("Overdue now"), _("Decided")]
    pdf.grid(
        [_("Procedure"), *late_header],
        [(f"{x.name} ({x.code})", _num(x.late), _num(x.overdue), _num(x.decided)) for x in r.late_procedures]
        or [(_("No late dossier."), "", "", "")],
        (104, 24, 24, 22),
    )
    pdf.grid(
        [_("Communes, wards and special zones"), *late_header],
        [(x.name, _num(x.late), _num(x.overdue), _num(x.decided)) for x in r.late_units]
        or [(_("No late dossier."), "", "", "")],
        (104, 24, 24, 22),
    )

    pdf.heading(_("Staff workload"))
    pdf.text_line(
        _(
            "Dossiers per official in each commune against the province's median: over one and a half times "
            "is over-loaded, under half is under-loaded."
        ),
        9,
        "I",
    )
    pdf.grid(
        [_("Province or city"), _("Over-loaded"), _("Balanced"), _("Under-loaded"), _("No official")],
        [
            (
                r.names.get(code, code),
                str(c.get("over_loaded", 0)),
                str(c.get("balanced", 0)),
                str(c.get("under_loaded", 0)),
                str(c.get("no_staff", 0)),
            )
            for code, c in r.workload.items()
        ],
        (70, 26, 26, 26, 26),
    )
    for label, loads in (
        (_("Most over-loaded communes"), r.over_loaded),
        (_("Most under-loaded communes"), r.under_loaded),
    ):
        if loads:
            names = ", ".join(
                f"{r.names.get(c.commune_code, c.commune_code)} ({c.per_official or 0:.0f})" for c in loads
            )
            pdf.text_line(f"{label}: {names}.", 9)

    if r.feedback is not None:
        _feedback(pdf, r, _)

    pdf.heading(_("Method"))
    pdf.text_line(
        _(
            "Dossier figures come from motcua's fact tables, kept on every dossier event; units from the "
            "administrative-unit registry; procedures and centres from the catalog. The on-time rate counts "
            "dossiers still open and not yet due as on time, as Decision 766 does. A decided dossier counts as "
            "digitised when its components were digital (sent online, or scanned at the counter, read and "
            "checked); every result is a signed PDF. A dossier reuses data when it takes a document from its "
            "applicant's store instead of a new paper. Transparency: the share of procedures in force published "
            "with all their components (the catalog), and of status changes delivered to the national portal "
            "within 24 hours (the exchange); the publication of results has no source yet and is not measured; "
            "a dash means not measured."
        )
        + " "
        + _(
            "Feedback figures come from the feedback fact table, kept on every step of a message: a stage "
            "(classification, forwarding, handling, publication) counts as on time or late against the agency "
            "that had the message; satisfaction counts each dossier with a complaint or a dislike once."
        ),
        9,
    )
    return bytes(pdf.output())


def _feedback(pdf: _Report, r: TwoLevelReport, _: Callable[[str], str]) -> None:
    assert r.feedback is not None
    f, total = r.feedback, r.feedback.total
    pdf.heading(_("Feedback and recommendations"))
    c = total.counts
    pdf.grid(
        None,
        [
            (_("Messages received"), _num(c["received"])),
            (_("Stages on time"), _pct(total.rates()["on_time_rate"])),
            (_("Forwarded to the competent agency"), _num(c["forwarded"])),
            (_("Answers published"), _num(c["published"])),
            (_("Reopened"), _num(c["reopened"])),
            (_("Overdue now"), _num(total.overdue)),
        ],
        (120, 54),
    )
    pdf.grid(
        [_("About"), _("Received"), _("Answers published"), _("Stages on time")],
        [
            (
                _(ABOUT_NAMES.get(t.key, t.key)),
                _num(t.counts["received"]),
                _num(t.counts["published"]),
                _pct(t.rates()["on_time_rate"]),
            )
            for t in f.topics
        ]
        or [(_("No feedback in the period."), "", "", "")],
        (86, 30, 30, 28),
    )
    pdf.grid(
        [_("Slowest agencies"), _("Stages late"), _("Overdue now"), _("Stages on time")],
        [
            (r.agency_names.get(a.key, a.key), _num(a.late), _num(a.overdue), _pct(a.rates()["on_time_rate"]))
            for a in f.slowest
        ]
        or [(_("No late feedback."), "", "", "")],
        (86, 30, 30, 28),
    )
