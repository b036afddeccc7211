"""The report's charts and map, from its data, in the report's language (SVG for the HTML, PNG or
SVG for the PDF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from motcua.indicators.charts import BarData, Format, bars, trend
from motcua.indicators.maps import province_map_svg, strip_prolog
from motcua.indicators.report.data import TwoLevelReport
from motcua.indicators.trends import trend_data
from motcua.units import get_registry

CHANNELS = ("online", "in_person", "postal")
LEVELS = ("commune", "province", "central", "unknown")


@dataclass(frozen=True)
class Figures:
    trend: bytes
    channels: bytes
    map_svg: str


def figures(report: TwoLevelReport, _: Callable[[str], str], fmt: Format, *, pdf_font: str | None = None) -> Figures:
    labels = (_("Received"), _("of which online"), _("On-time rate"), _("Online submission rate"))
    monthly = trend(trend_data(report.trend, _("Dossiers and rates by month"), labels), fmt)
    levels = [lvl for lvl in LEVELS if lvl in report.by_level_and_channel]
    channel_names = {"online": _("Online"), "in_person": _("In person"), "postal": _("By post")}
    level_names = {"commune": _("Commune level"), "province": _("Provincial level"), "central": _("Central level")}
    by_level = bars(
        BarData(
            _("Dossiers received by level and channel"),
            tuple(level_names.get(lvl, _("Other")) for lvl in levels),
            tuple(
                (channel_names[c], tuple(report.by_level_and_channel[lvl].get(c, 0) for lvl in levels))
                for c in CHANNELS
            ),
        ),
        fmt,
    )
    values = (
        {s.unit: s.rates.get("on_time_rate") for s in report.ranking}
        if report.scope == "national"
        else {report.scope: report.rates.get("on_time_rate")}
    )
    names = {u.code: u.name for u in get_registry().in_force(report.end, "province")} if report.end else {}
    title = _("Map of the 34 provinces coloured by: {measure}").format(measure=_("On-time rate"))
    drawn = province_map_svg(
        values,
        names,
        title,
        lambda v: f"{v * 100:.1f} %" if v is not None else _("no data"),
        highlight=None if report.scope == "national" else report.scope,
        interactive=pdf_font is None,
        font_family=pdf_font or "sans-serif",
        no_data=_("no data"),
    )
    return Figures(monthly, by_level, drawn)


def inline(svg: bytes) -> str:
    return strip_prolog(svg.decode("utf-8"))
