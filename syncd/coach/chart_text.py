"""The digest's picture without matplotlib: a text chart for the terminal, and a small HTML page."""

from __future__ import annotations

import base64
import html as _html
from pathlib import Path

from syncd.coach import lang as _lang
from syncd.coach import wording
from syncd.coach.digest import Digest, day_label

BLUE, ORANGE, GREEN, GREY, INK = "#4e79a7", "#e8772e", "#59a14f", "#9a9a9a", "#333333"
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def value(d: Digest, km: float) -> float:
    """km in the digest's units."""
    return km / wording.KM_PER_MILE if d.units == "mi" else km


def unit(d: Digest) -> str:
    """The unit's label."""
    return _lang.text(f"unit.{d.units}", d.lang)


def t(d: Digest, key: str, **fields: object) -> str:
    """A string in the digest's language."""
    return _lang.text(key, d.lang, **fields)


# -- PNG ------------------------------------------------------------------------------------


# -- text -----------------------------------------------------------------------------------


def render_text(digest: Digest, width: int = 60) -> str:
    """A compact chart for the terminal: one line per week, bars scaled to the longest."""
    d, u = digest, unit(digest)
    labels = [day_label(w.start, d.lang).rjust(6) for w in d.weeks]
    values = [wording.distance(w.run_km, d.units).rjust(5) + f" {u}" for w in d.weeks]
    size = max(len(v) for v in values)
    values = [
        v if w.known else t(d, "chart.no_data").rjust(size) for v, w in zip(values, d.weeks, strict=True)
    ]
    room = max(8, width - 6 - 2 - size - 1 - 4 - 2)
    top = max((w.run_km for w in d.weeks), default=0.0) or 1.0
    lines = [t(d, "chart.title", weeks=len(d.weeks)) + f" · {d.athlete}"]
    for label, value, w in zip(labels, values, d.weeks, strict=True):
        eighths = round(w.run_km / top * room * 8)
        bar = ("█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()).ljust(room)
        marks = ("S" * min(w.strength, 3) + ("+" if w.strength > 3 else "")).ljust(4)
        left = f" ?{wording.distance(w.left_out_km, d.units)}" if w.left_out_km else ""
        lines.append(f"{label} {bar} {value} {marks}{' ▲' if w.spikes else ''}{left}".rstrip())
    if d.cap_km:
        lines.append(t(d, "chart.cap_text", cap=wording.cap_distance(d.cap_km, d.units), unit=u))
    lines.append(t(d, "chart.text_legend", unit=u))
    if any(w.left_out_km for w in d.weeks):
        lines.append(t(d, "chart.text_left_out", unit=u))
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
        alt = esc(t(d, "chart.title", weeks=len(d.weeks)))
        chart = f'<img src="data:image/png;base64,{data}" alt="{alt}">'
    else:
        chart = f"<pre>{esc(render_text(d))}</pre>"
    paragraphs = "".join(
        "<p>" + "<br>".join(esc(line) for line in block.splitlines()) + "</p>"
        for block in d.text.split("\n\n")
        if block.strip()
    )
    title = esc(t(d, "report.page_title", title=d.title))
    return (
        f'<!doctype html>\n<html lang="{esc(d.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n<body><main>"
        f'<h1>{esc(d.title)}</h1>{chart}<div class="card">{paragraphs}</div>'
        "</main></body></html>\n"
    )
