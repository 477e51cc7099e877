"""The digest's picture: a PNG (matplotlib, optional extra `syncd[chart]`), a text chart, HTML.

The next-run cap is a single-run distance, so the PNG draws it in its own panel of longest
runs per week, never against the weekly totals.
"""

from __future__ import annotations

import base64
import html as _html
import importlib.util
from pathlib import Path
from typing import Any

from syncd.coach import lang as _lang
from syncd.coach import wording
from syncd.coach.digest import STRENGTH_TARGET, Digest, WeekPoint, day_label

BLUE, ORANGE, GREEN, GREY, INK = "#4e79a7", "#e8772e", "#59a14f", "#9a9a9a", "#333333"
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def matplotlib_available() -> bool:
    """Whether matplotlib can be imported (the `syncd[chart]` extra)."""
    return importlib.util.find_spec("matplotlib") is not None


def _value(d: Digest, km: float) -> float:
    """km in the digest's units."""
    return km / wording.KM_PER_MILE if d.units == "mi" else km


def _unit(d: Digest) -> str:
    """The unit's label."""
    return _lang.text(f"unit.{d.units}", d.lang)


def _t(d: Digest, key: str, **fields: object) -> str:
    """A string in the digest's language."""
    return _lang.text(key, d.lang, **fields)


# -- PNG ------------------------------------------------------------------------------------


def render_png(digest: Digest, path: Path, *, width_px: int = 1200, height_px: int = 675) -> Path:
    """Draw the digest's weeks into a PNG of exactly width_px by height_px pixels."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    d, u, dpi = digest, _unit(digest), 100
    weeks = d.weeks
    xs = list(range(len(weeks)))
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    grid = fig.add_gridspec(
        3, 1, height_ratios=[3.0, 1.55, 0.45], hspace=0.38, left=0.075, right=0.975, top=0.83, bottom=0.1
    )
    bars, longest, strength = (fig.add_subplot(grid[i]) for i in range(3))
    for ax in (bars, longest, strength):
        _tidy(ax, xs)

    # weekly distance: spike weeks in orange, the value above each bar
    totals = [_value(d, w.run_km) for w in weeks]
    colours = [ORANGE if w.spikes else BLUE for w in weeks]
    bars.bar(xs, totals, width=0.68, color=colours, zorder=2)
    left_out = [_value(d, w.left_out_km) for w in weeks]
    if any(left_out):  # RULES.md: runs left out as implausible are shown, not hidden
        bars.bar(
            xs, left_out, width=0.68, bottom=totals, color="white", edgecolor=GREY, hatch="///", zorder=2
        )
    top = max(totals, default=0) or 1.0
    bars.set_ylim(0, top * 1.2)
    for x, v, w in zip(xs, totals, weeks, strict=True) if len(xs) <= 16 else ():
        if w.known:
            bars.text(x, v + top * 0.02, f"{v:.1f}", ha="center", va="bottom", fontsize=10, color=INK)
    bars.set_ylabel(_t(d, "chart.distance", unit=u), fontsize=10, color=INK)
    handles = [Patch(color=BLUE, label=_t(d, "chart.week"))]
    if any(w.spikes for w in weeks):
        handles.append(Patch(color=ORANGE, label=_t(d, "chart.spike_week")))
    if any(left_out):
        handles.append(Patch(facecolor="white", edgecolor=GREY, hatch="///", label=_t(d, "chart.left_out")))
    bars.legend(
        handles=handles, loc="upper left", frameon=False, fontsize=10, ncol=2, bbox_to_anchor=(0, 1.08)
    )

    _longest_panel(longest, d, xs, weeks, u)
    _strength_panel(strength, d, xs, weeks)
    every = -(-len(xs) // 13)  # at most 13 labels; the newest week always has one
    strength.set_xticks(
        xs,
        [
            day_label(w.start, d.lang) if (len(xs) - 1 - x) % every == 0 else ""
            for x, w in zip(xs, weeks, strict=True)
        ],
        fontsize=10,
    )
    strength.get_xticklabels()[-1].set_fontweight("bold")  # this week
    strength.set_xlabel(_t(d, "chart.week_axis"), fontsize=9, color=GREY, loc="left")

    fig.text(
        0.075,
        0.945,
        _t(d, "chart.title", weeks=len(weeks)),
        fontsize=20,
        fontweight="bold",
        color=INK,
        va="baseline",
    )
    fig.text(
        0.075,
        0.9,
        _t(
            d,
            "chart.subtitle",
            athlete=d.athlete,
            day=day_label(d.day, d.lang, weekday=True) + f" {d.day.year}",
        ),
        fontsize=11,
        color=GREY,
        va="baseline",
    )
    if d.cap_km:
        fig.text(
            0.975,
            0.93,
            _t(d, "chart.cap_text", cap=wording.cap_distance(d.cap_km, d.units), unit=u),
            ha="right",
            va="center",
            fontsize=13,
            color=INK,
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f3f3f3", "edgecolor": "none"},
        )
    path = Path(path)
    fig.savefig(path, dpi=dpi, format="png", facecolor="white")
    return path


def _tidy(ax: Any, xs: list[int]) -> None:
    """Light styling: no box, faint grid, no tick marks."""
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#cccccc")
    ax.tick_params(colors=INK, labelsize=9, length=0)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.set_xticks(xs, [""] * len(xs))


def _longest_panel(ax: Any, d: Digest, xs: list[int], weeks: tuple[WeekPoint, ...], u: str) -> None:
    """Longest run per week, spike runs marked, and the next-run cap as a dashed line."""
    values = [_value(d, w.longest_km) for w in weeks]
    seen = [(x, v) for x, v, w in zip(xs, values, weeks, strict=True) if w.known]
    ax.plot([x for x, _ in seen], [v for _, v in seen], color="#c9d6e6", linewidth=1.5, zorder=2)
    ax.scatter([x for x, _ in seen], [v for _, v in seen], s=30, color=BLUE, zorder=3)
    spike_x = [x for x, w in zip(xs, weeks, strict=True) if w.spikes]
    spike_y = [_value(d, max(s.distance_km for s in w.spikes)) for w in weeks if w.spikes]
    ax.scatter(spike_x, spike_y, s=70, marker="^", color=ORANGE, zorder=4, label=_t(d, "chart.spike_run"))
    cap = _value(d, d.cap_km)
    high = max([*values, cap, 1.0])
    ax.set_ylim(0, high * 1.3)
    if d.cap_km:
        ax.axhline(cap, color=INK, linestyle=(0, (5, 4)), linewidth=1.1, zorder=1)
        label = _t(
            d,
            "chart.cap_line",
            unit=u,
            day=day_label(d.day, d.lang),
            cap=wording.cap_distance(d.cap_km, d.units),
        )
        ax.text(-0.5, cap + high * 0.05, label, fontsize=9.5, color=INK, va="bottom")
    ax.set_ylabel(_t(d, "chart.longest", unit=u), fontsize=10, color=INK)
    if spike_x:
        ax.legend(loc="upper right", frameon=False, fontsize=9.5, bbox_to_anchor=(1, 1.18))


def _strength_panel(ax: Any, d: Digest, xs: list[int], weeks: tuple[WeekPoint, ...]) -> None:
    """Per week a row of dots: filled per session done, hollow up to the weekly aim."""
    low, high = STRENGTH_TARGET
    scale = min(1.0, 12 / max(len(xs), 1))  # narrower weeks: smaller dots
    step, size = 0.16 / scale**0.5, 48 * scale
    for x, w in zip(xs, weeks, strict=True):
        if not w.known:
            continue
        slots = max(w.strength, low)
        left = x - step * (slots - 1) / 2
        for i in range(slots):
            done = i < w.strength
            ax.scatter(
                [left + i * step],
                [0.5],
                s=size,
                zorder=3,
                linewidths=1.3 * scale,
                color=GREEN if done else "white",
                edgecolors=GREEN if done else GREY,
            )
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    ax.text(
        0,
        1.12,
        _t(d, "chart.strength", low=low, high=high),
        transform=ax.transAxes,
        fontsize=10,
        color=INK,
        va="bottom",
    )
    from matplotlib.lines import Line2D

    def dot(face: str, edge: str, label: str) -> Line2D:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=7,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=1.3,
            label=label,
        )

    handles = [dot(GREEN, GREEN, _t(d, "chart.strength_done"))]
    if any(w.known and w.strength < low for w in weeks):
        handles.append(dot("white", GREY, _t(d, "chart.strength_missing", low=low)))
    ax.legend(
        handles=handles, loc="lower right", bbox_to_anchor=(1, 1.0), ncol=2, frameon=False, fontsize=9.5
    )


# -- text -----------------------------------------------------------------------------------


def render_text(digest: Digest, width: int = 60) -> str:
    """A compact chart for the terminal: one line per week, bars scaled to the longest."""
    d, u = digest, _unit(digest)
    labels = [day_label(w.start, d.lang).rjust(6) for w in d.weeks]
    values = [wording.distance(w.run_km, d.units).rjust(5) + f" {u}" for w in d.weeks]
    size = max(len(v) for v in values)
    values = [
        v if w.known else _t(d, "chart.no_data").rjust(size) for v, w in zip(values, d.weeks, strict=True)
    ]
    room = max(8, width - 6 - 2 - size - 1 - 4 - 2)
    top = max((w.run_km for w in d.weeks), default=0.0) or 1.0
    lines = [_t(d, "chart.title", weeks=len(d.weeks)) + f" · {d.athlete}"]
    for label, value, w in zip(labels, values, d.weeks, strict=True):
        eighths = round(w.run_km / top * room * 8)
        bar = ("█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()).ljust(room)
        marks = ("S" * min(w.strength, 3) + ("+" if w.strength > 3 else "")).ljust(4)
        left = f" ?{wording.distance(w.left_out_km, d.units)}" if w.left_out_km else ""
        lines.append(f"{label} {bar} {value} {marks}{' ▲' if w.spikes else ''}{left}".rstrip())
    if d.cap_km:
        lines.append(_t(d, "chart.cap_text", cap=wording.cap_distance(d.cap_km, d.units), unit=u))
    lines.append(_t(d, "chart.text_legend", unit=u))
    if any(w.left_out_km for w in d.weeks):
        lines.append(_t(d, "chart.text_left_out", unit=u))
    return "\n".join(lines)


# -- HTML -----------------------------------------------------------------------------------

_CSS = (
    "body{margin:0;background:#f6f6f4;color:#333;font:16px/1.5 system-ui,-apple-system,"
    "'Segoe UI',sans-serif}main{max-width:760px;margin:0 auto;padding:20px 16px}"
    "h1{font-size:1.4em;margin:0 0 12px}img{width:100%;height:auto;border-radius:8px;"
    "background:#fff}pre{background:#fff;padding:12px;border-radius:8px;overflow-x:auto;"
    "font-size:13px}p{margin:0 0 14px}.card{background:#fff;border-radius:8px;"
    "padding:16px;margin-top:16px}"
)


def html(digest: Digest, png_path: Path | None) -> str:
    """A small self-contained page: the digest text and its chart (PNG inlined if given)."""
    d, esc = digest, _html.escape
    if png_path is not None:
        data = base64.b64encode(Path(png_path).read_bytes()).decode("ascii")
        alt = esc(_t(d, "chart.title", weeks=len(d.weeks)))
        chart = f'<img src="data:image/png;base64,{data}" alt="{alt}">'
    else:
        chart = f"<pre>{esc(render_text(d))}</pre>"
    paragraphs = "".join(
        "<p>" + "<br>".join(esc(line) for line in block.splitlines()) + "</p>"
        for block in d.text.split("\n\n")
        if block.strip()
    )
    title = esc(_t(d, "report.page_title", title=d.title))
    return (
        f'<!doctype html>\n<html lang="{esc(d.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n<body><main>"
        f'<h1>{esc(d.title)}</h1>{chart}<div class="card">{paragraphs}</div>'
        "</main></body></html>\n"
    )
