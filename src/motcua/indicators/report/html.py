"""The report as one self-contained HTML file (styles, charts and map inline: it opens offline)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from motcua.feedback.labels import ABOUT_NAMES
from motcua.i18n import Language, gettext_for, jinja_environment
from motcua.indicators.report.charts import CHANNELS, figures, inline
from motcua.indicators.report.data import TwoLevelReport

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment(language: Language) -> Environment:
    return jinja_environment(TEMPLATES, language)


def render_html(report: TwoLevelReport, language: Language = "vi") -> str:
    _ = gettext_for(language).gettext
    drawn = figures(report, _, "svg")
    return (
        _environment(language)
        .get_template("two_level.html")
        .render(
            r=report,
            lang=language,
            trend_svg=Markup(inline(drawn.trend)),
            channels_svg=Markup(inline(drawn.channels)),
            map_svg=Markup(drawn.map_svg),
            channels=CHANNELS,
            about_names=ABOUT_NAMES,
        )
    )
