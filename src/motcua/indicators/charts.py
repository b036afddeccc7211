"""Charts drawn on the server with matplotlib (no script, no network): SVG for the pages, PNG for the
PDF. Drawing takes a tenth of a second, so an SVG is kept for the same data (``lru_cache``): the
series end at yesterday and stay the same all day."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Format = Literal["svg", "png"]
RECEIVED, ONLINE, ON_TIME = "#67a9cf", "#2166ac", "#b2182b"


@dataclass(frozen=True)
class TrendData:
    """What a trend chart shows, hashable so that a drawn chart can be kept for the same data."""

    title: str
    months: tuple[str, ...]  # labels, e.g. "11/2026"
    received: tuple[int, ...]
    online: tuple[int, ...]
    on_time_rate: tuple[float | None, ...]
    online_rate: tuple[float | None, ...]
    labels: tuple[str, str, str, str]  # received, online, on-time rate, online rate
    language: str = "vi"  # of the numbers on the axes (3.000 in Vietnamese, 3,000 in English)


@dataclass(frozen=True)
class BarData:
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (label, one value per category)


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable, readable by screen readers
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _export(fig: Figure, fmt: Format) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=160, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


# Text sizes in points for a chart drawn 6 inches wide and shown at most about 700 px wide: the
# labels stay at least 12 px on a desktop and readable when a phone shows it at its width.
TICK, TITLE, LEGEND = 11, 13, 11


def _numbers(ax: object, language: str) -> None:
    """The y axis's numbers grouped as the page's language writes them."""
    from babel.numbers import format_decimal
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(  # type: ignore[attr-defined]
        FuncFormatter(lambda v, _pos: format_decimal(v, format="#,##0", locale=language))
    )


def trend(data: TrendData, fmt: Format = "svg") -> bytes:
    """Dossiers received per month (bars, online darker) and the on-time and online rates (lines)."""
    fig = _figure(6.0, 3.8)
    ax = fig.subplots()
    x = range(len(data.months))
    ax.bar(x, data.received, color=RECEIVED, label=data.labels[0])
    ax.bar(x, data.online, color=ONLINE, width=0.5, label=data.labels[1])
    ax.set_xticks(list(x), data.months, rotation=45, ha="right", fontsize=TICK)
    ax.tick_params(axis="y", labelsize=TICK)
    _numbers(ax, data.language)
    ax.set_title(data.title, fontsize=TITLE)
    ax.spines[["top"]].set_visible(False)
    rates = ax.twinx()
    for values, colour, style, label in (
        (data.on_time_rate, ON_TIME, "-", data.labels[2]),
        (data.online_rate, "#333333", "--", data.labels[3]),
    ):
        rates.plot(x, [100 * v if v is not None else float("nan") for v in values], style, color=colour, label=label)
    rates.set_ylim(0, 105)
    rates.set_ylabel("%", fontsize=TICK)
    rates.tick_params(axis="y", labelsize=TICK)
    handles = ax.get_legend_handles_labels()
    more = rates.get_legend_handles_labels()
    fig.legend(
        handles[0] + more[0], handles[1] + more[1], fontsize=LEGEND, loc="outside lower center", ncols=2, frameon=False
    )
    return _export(fig, fmt)


def bars(data: BarData, fmt: Format = "svg") -> bytes:
    """Grouped horizontal bars: one group per category, one bar per series."""
    fig = _figure(6.0, 0.8 + 0.5 * max(len(data.categories), 2))
    ax = fig.subplots()
    height = 0.8 / max(len(data.series), 1)
    colours = (ONLINE, RECEIVED, "#ef8a62", "#999999")
    for i, (label, values) in enumerate(data.series):
        ys = [c + i * height for c in range(len(data.categories))]
        ax.barh(ys, values, height=height, label=label, color=colours[i % len(colours)])
    ax.set_yticks([c + 0.4 - height / 2 for c in range(len(data.categories))], data.categories, fontsize=TICK)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=TICK)
    ax.set_title(data.title, fontsize=TITLE)
    ax.legend(fontsize=LEGEND, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _export(fig, fmt)


@lru_cache(maxsize=512)
def trend_svg(data: TrendData) -> str:
    return trend(data, "svg").decode("utf-8")
