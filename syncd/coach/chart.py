"""The digest's picture as a PNG (matplotlib, optional extra `syncd[chart]`); text and HTML
are in `chart_text`.

The next-run cap is a single-run distance, so the PNG draws it in its own panel of longest
runs per week, never against the weekly totals.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from syncd.coach import wording
from syncd.coach.chart_text import BLUE, GREEN, GREY, INK, ORANGE, html, render_text
from syncd.coach.chart_text import t as _t
from syncd.coach.chart_text import unit as _unit
from syncd.coach.chart_text import value as _value
from syncd.coach.digest import STRENGTH_TARGET, Digest, WeekPoint, day_label

__all__ = ["html", "matplotlib_available", "render_png", "render_text"]


def matplotlib_available() -> bool:
    """Whether matplotlib can be imported (the `syncd[chart]` extra)."""
    return importlib.util.find_spec("matplotlib") is not None


def render_png(digest: Digest, path: Path, *, width_px: int = 1200, height_px: int = 675) -> Path:
    """Draw the digest's weeks into a PNG of exactly width_px by height_px pixels."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

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

    _distance_panel(bars, d, xs, u)
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

    _titles(fig, d, u)
    path = Path(path)
    fig.savefig(path, dpi=dpi, format="png", facecolor="white")
    return path


def _distance_panel(bars: Any, d: Digest, xs: list[int], u: str) -> None:
    """Weekly distance: spike weeks in orange, runs left out hatched on top, values above bars."""
    from matplotlib.patches import Patch

    weeks = d.weeks
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


def _titles(fig: Any, d: Digest, u: str) -> None:
    """The title, the subtitle and, when there is one, the next-run cap in a box."""
    fig.text(
        0.075,
        0.945,
        _t(d, "chart.title", weeks=len(d.weeks)),
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
