"""Inline SVG charts: drawn on the server, so they need no script and no network to show.

Every chart carries <title> and <desc> (its text alternative) and a table or the cards next
to it hold the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Sequential blues, light (level 1) to dark (level 5); grey for "I don't know".
LEVEL_COLOURS = {0: "#b1b4b6", 1: "#c6dbef", 2: "#9ecae1", 3: "#5fa3d0", 4: "#2b75b5", 5: "#0b4a8b"}
LEVEL_NAMES = {0: "I don't know", 1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Level 4", 5: "Level 5"}


@dataclass
class Bar:
    """One question in a per-question chart."""

    label: str
    answer: int
    low: int | None = None
    high: int | None = None
    human: int | None = None
    href: str = ""


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def legend(levels: Sequence[int] = (1, 2, 3, 4, 5, 0)) -> str:
    items = "".join(f'<li><span class="swatch" style="background:{LEVEL_COLOURS[lv]}"></span>{LEVEL_NAMES[lv]}</li>' for lv in levels)
    return f'<ul class="legend" aria-label="Colour key">{items}</ul>'


def distribution_chart(chart_id: str, title: str, rows: list[tuple[str, dict[int, int]]]) -> str:
    """One stacked bar per category: how many of its questions end at each answer."""
    label_w, bar_w, row_h, top = 190, 420, 30, 8
    width, height = label_w + bar_w + 70, top + row_h * len(rows) + 8
    most = max((sum(counts.values()) for _, counts in rows), default=1) or 1
    parts = []
    desc = []
    for n, (label, counts) in enumerate(rows):
        y = top + n * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" class="lbl">{escape(_short(label, 26))}</text>')
        x = float(label_w)
        for level in (1, 2, 3, 4, 5, 0):
            count = counts.get(level, 0)
            if not count:
                continue
            w = bar_w * count / most
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="{LEVEL_COLOURS[level]}">'
                f"<title>{escape(label)}: {count} at {LEVEL_NAMES[level]}</title></rect>"
            )
            x += w
        total = sum(counts.values())
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 19}" class="num">{total}</text>')
        spelled = ", ".join(f"{counts[lv]} at {LEVEL_NAMES[lv].lower()}" for lv in (1, 2, 3, 4, 5, 0) if counts.get(lv))
        desc.append(f"{label}: {spelled or 'no questions'}")
    return _svg_open(chart_id, width, height, title, "; ".join(desc) + ".") + "".join(parts) + "</svg>"


def question_chart(chart_id: str, title: str, bars: list[Bar]) -> str:
    """One bar per question: the exported answer, the range the evidence allows, a person's answer."""
    label_w, scale_w, row_h, top = 330, 300, 26, 22
    step = scale_w / 5
    width, height = label_w + scale_w + 20, top + row_h * len(bars) + 6
    parts = []
    for level in range(6):
        x = label_w + level * step
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" class="axis">{level}</text>')
    desc = []
    for n, bar in enumerate(bars):
        y = top + n * row_h
        label = escape(_short(bar.label, 48))
        text = f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="lbl">{label}</text>'
        parts.append(f'<a href="{escape(bar.href)}">{text}</a>' if bar.href else text)
        if bar.low is not None and bar.high is not None:
            x0 = label_w + (bar.low - 1) * step
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 3}" width="{(bar.high - bar.low + 1) * step:.1f}" height="{row_h - 6}" '
                f'class="range"><title>Evidence allows levels {bar.low} to {bar.high}</title></rect>'
            )
        if bar.answer:
            parts.append(
                f'<rect x="{label_w}" y="{y + 7}" width="{bar.answer * step:.1f}" height="{row_h - 14}" '
                f'fill="{LEVEL_COLOURS[bar.answer]}"><title>{escape(bar.label)}: answer {bar.answer}</title></rect>'
            )
        else:
            parts.append(f'<text x="{label_w + 6}" y="{y + 17}" class="idk">I don\'t know</text>')
        if bar.human is not None and bar.human > 0:
            cx, cy = label_w + bar.human * step, y + row_h / 2
            parts.append(
                f'<path d="M{cx:.1f} {cy - 7:.1f} l7 7 l-7 7 l-7 -7 z" class="human"><title>A person answered {bar.human}</title></path>'
            )
        said = f"answer {bar.answer}" if bar.answer else "I don't know"
        if bar.low is not None and bar.high is not None and bar.low != bar.high:
            said += f", evidence allows {bar.low} to {bar.high}"
        if bar.human is not None:
            said += f", a person answered {bar.human}"
        desc.append(f"{bar.label}: {said}")
    return _svg_open(chart_id, width, height, title, "; ".join(desc) + ".") + "".join(parts) + "</svg>"


def sparkline(chart_id: str, points: list[tuple[str, int]]) -> str:
    """The answer over earlier runs and this one, oldest first."""
    width, height, pad = 140, 32, 4
    if len(points) < 2:
        return ""
    dx = (width - 2 * pad) / (len(points) - 1)
    coords = [(pad + n * dx, height - pad - (value / 5) * (height - 2 * pad)) for n, (_, value) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in coords)
    desc = "; ".join(f"{when}: {value}" for when, value in points)
    return _svg_open(chart_id, width, height, "Answer over time", desc) + f'<polyline points="{path}" class="spark"/>{dots}</svg>'
