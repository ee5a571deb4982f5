"""One card per question: the answer, the evidence behind it, and what a person said."""

from __future__ import annotations

from html import escape

from cmm_scan.models import Evidence, HumanAnswer, QuestionResult
from cmm_scan.outputs.html.charts import sparkline

SHOWN_IDS = 25  # per list: enough to find the resources, small enough for huge estates
SHOWN_SCOPES = 50
SHOWN_GAPS = 20
VERDICTS = {
    "met": "met",
    "supported": "supported by the evidence",
    "possible": "possible: evidence missing",
    "ruled_out": "ruled out",
    "human": "needs a person",
}


def e(text: object) -> str:
    return escape(str(text), quote=True)


def anchor(r: QuestionResult) -> str:
    return "q-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in r.id)


def answer_badge(r: QuestionResult) -> str:
    text = f"Answer {r.answer}" if r.answer else "I don't know"
    source = {"human": "from a person", "machine": "suggested by the scan", "none": "no answer"}[r.answer_source]
    if r.answer_source == "machine" and r.status == "floor":
        text, source = f"At least {r.answer}", f"a floor shown by the configuration, exported as {r.answer}"
    return f'<span class="badge lvl-{r.answer}">{text}</span> <span class="src">{source}</span>'


def machine_line(r: QuestionResult) -> str:
    if r.status == "manual":
        suggestion = "needs a person: configuration cannot answer this question"
    elif r.status == "not_applicable":
        suggestion = "not applicable to this estate"
    elif r.suggested_level is not None:
        suggestion = f"level {r.suggested_level}"
    elif r.floor_level is not None:
        suggestion = f"at least level {r.floor_level} (a floor, exported as {r.floor_level})"
    else:
        suggestion = "I don't know"
    if r.level_range and r.level_range[0] != r.level_range[1]:
        suggestion += f" (evidence allows {r.level_range[0]}–{r.level_range[1]})"
    return (
        f'<dl class="facts"><div><dt>Scan suggests</dt><dd>{e(suggestion)}</dd></div>'
        f"<div><dt>Confidence</dt><dd>{e(r.confidence)}</dd></div>"
        f"<div><dt>Automation</dt><dd>{e(r.automation)}</dd></div></dl>"
    )


def _link(url: str) -> str:
    # Only web links become anchors: an answers file must not smuggle javascript: URLs into the report.
    if url.startswith(("https://", "http://")):
        return f'<a href="{e(url)}" rel="noopener noreferrer">{e(url)}</a>'
    return f"<code>{e(url)}</code>"


def human_box(h: HumanAnswer, r: QuestionResult) -> str:
    flags = []
    if h.expired:
        flags.append(f'<strong class="flag expired">Expired {e(h.expires)}: not used; the export falls back to the scan</strong>')
    if h.disagrees:
        scan = f"level {r.suggested_level}" if r.suggested_level is not None else "the levels the evidence allows"
        flags.append(f'<strong class="flag disagree">Disagrees with the scan ({e(scan)})</strong>')
    who = " · ".join(
        part
        for part in (
            e(h.answered_by) if h.answered_by else "",
            f"answered {e(h.answered_on)}" if h.answered_on else "",
            f"expires {e(h.expires)}" if h.expires and not h.expired else "",
        )
        if part
    )
    level = f"Level {h.level}" if h.level else "I don't know"
    links = "".join(f"<li>{_link(link)}</li>" for link in h.links)
    return (
        f'<aside class="human{" is-expired" if h.expired else ""}" aria-label="A person\'s answer">'
        f'<p class="human-head"><span class="tag">A person\'s answer</span> <strong>{level}</strong>'
        f"{f' <span class=small>{who}</span>' if who else ''}</p>"
        + (f'<p class="flags">{" ".join(flags)}</p>' if flags else "")
        + (f"<p>{e(h.note)}</p>" if h.note else "")
        + (f'<ul class="links">{links}</ul>' if links else "")
        + "</aside>"
    )


def _ids(label: str, ids: list[str], count: int | None, truncated: bool) -> str:
    """A collapsed list of at most SHOWN_IDS ids; `count` is the true number when it is known."""
    if not ids and not count:
        return ""
    shown = ids[:SHOWN_IDS]
    known = count if count is not None else len(ids)
    more = known - len(shown)
    items = "".join(f"<li><code>{e(i)}</code></li>" for i in shown)
    if more > 0:
        items += f'<li class="more">and {more} more</li>'
    elif truncated and count is None:
        items += '<li class="more">and more: the list was cut short when scoring</li>'
    heading = f"{known}{'+' if truncated and count is None else ''}"
    return f"<details class='ids'><summary>{e(label)}: {heading}</summary><ul>{items}</ul></details>"


def _scopes(ev: Evidence) -> str:
    if len(ev.by_scope) < 2:
        return ""
    clouds = len(ev.by_provider) > 1
    per_cloud = ""
    if clouds:
        rows = "".join(
            f"<tr><th scope='row'>{e(p.provider)}</th><td>{p.scopes}</td><td>{p.matching}</td><td>{p.total}</td><td>{p.unknown}</td></tr>"
            for p in ev.by_provider
        )
        per_cloud = (
            f"<details class='scopes' open><summary>Per cloud ({len(ev.by_provider)})</summary>"
            "<table><thead><tr><th scope='col'>Cloud</th><th scope='col'>Scopes</th><th scope='col'>Matching</th>"
            f"<th scope='col'>Of</th><th scope='col'>Unreadable</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    rows = "".join(
        f"<tr><th scope='row'>{e(s.provider) + ' ' if clouds else ''}<code>{e(s.scope)}</code></th>"
        f"<td>{s.matching}</td><td>{s.total}</td><td>{s.unknown}</td></tr>"
        for s in ev.by_scope[:SHOWN_SCOPES]
    )
    more = len(ev.by_scope) - SHOWN_SCOPES
    tail = f"<p class='more'>and {more} more scopes</p>" if more > 0 else ""
    return per_cloud + (
        f"<details class='scopes'><summary>Per scope ({len(ev.by_scope)})</summary>"
        "<table><thead><tr><th scope='col'>Scope</th><th scope='col'>Matching</th><th scope='col'>Of</th>"
        f"<th scope='col'>Unreadable</th></tr></thead><tbody>{rows}</tbody></table>{tail}</details>"
    )


def evidence_item(ev: Evidence) -> str:
    counts = f"{ev.matching}" + (f" of {ev.total}" if ev.total is not None else "")
    if ev.unknown:
        counts += f", {ev.unknown} unreadable"
    incomplete = "" if ev.complete else ' <strong class="flag gap">incomplete coverage</strong>'
    gaps = "".join(f"<li>{e(g)}</li>" for g in ev.coverage_gaps[:SHOWN_GAPS])
    if len(ev.coverage_gaps) > SHOWN_GAPS:
        gaps += f"<li class='more'>and {len(ev.coverage_gaps) - SHOWN_GAPS} more</li>"
    return (
        f"<li><p><strong>{e(ev.description)}</strong>: {e(ev.display)}{incomplete}<br>"
        f"<span class='small'><code>{e(ev.signal)}</code> over <code>{e(ev.fact_type)}</code>: {e(counts)}</span></p>"
        + _ids("Matching resources", ev.resources_matching, ev.matching, ev.resources_truncated)
        + _ids("Not matching", ev.resources_not_matching, None, ev.resources_truncated)
        + _ids("Unreadable", ev.resources_unknown, ev.unknown, ev.resources_truncated)
        + _scopes(ev)
        + (f"<p class='small'>Coverage gaps:</p><ul class='gaps'>{gaps}</ul>" if gaps else "")
        + "</li>"
    )


def _to_settle(r: QuestionResult) -> str:
    if not r.to_settle:
        return ""
    label = "What would lift it" if r.status == "floor" else "What would settle it"
    return f'<p class="to-settle"><strong>{label}</strong> {e(r.to_settle)}</p>'


def _section(title: str, body: str) -> str:
    return f"<h5>{e(title)}</h5>{body}" if body else ""


def card(r: QuestionResult, number: int) -> str:
    flags = []
    if r.human and r.human.disagrees:
        flags.append('<strong class="flag disagree">Disagreement</strong>')
    if r.human and r.human.expired:
        flags.append('<strong class="flag expired">Expired answer</strong>')
    history = ""
    if r.history:
        points = [(f"{p.at:%Y-%m-%d}", p.answer) for p in r.history] + [("this run", r.answer)]
        svg = sparkline(f"spark-{anchor(r)}", points)
        history = f'<div class="trend"><span class="small">Trend</span> {svg}</div>' if svg else ""
    evidence = "".join(evidence_item(ev) for ev in r.evidence)
    reasons = "".join(f"<li>{e(reason)}</li>" for reason in r.reasons)
    levels = "".join(f"<li class='v-{o.verdict}'><strong>{o.level}</strong> {e(VERDICTS[o.verdict])}: {e(o.cites)}</li>" for o in r.levels)
    bring = "".join(f"<li>{e(item)}</li>" for item in r.evidence_to_bring)
    next_html = ""
    if r.next_level:
        failing = "".join(f"<li><code>{e(f)}</code></li>" for f in r.next_level.failing)
        next_html = f"<p>To reach level {r.next_level.level}: {e(r.next_level.needs)}</p>" + (
            f"<p class='small'>Standing in the way:</p><ul>{failing}</ul>" if failing else ""
        )
    guidance = (
        f'<p><a href="{e(r.guidance_url)}" rel="noopener noreferrer">Official guidance for this question</a></p>' if r.guidance_url else ""
    )
    body = (
        _section("Evidence", f"<ul class='evidence'>{evidence}</ul>" if evidence else "")
        + _section("Why the scan cannot be sure" if r.answer_source == "none" else "Notes", f"<ul>{reasons}</ul>" if reasons else "")
        + (f"<p class='small'>{e(r.tie_break)}</p>" if r.tie_break else "")
        + _section("Levels", f"<ol class='levels'>{levels}</ol>" if levels else "")
        + _section("What the next level needs", next_html + guidance)
        + _section("Evidence a person should bring", f"<ul>{bring}</ul>" if bring else "")
    )
    data = (
        f'data-status="{e(r.status)}" data-source="{e(r.answer_source)}"'
        + (' data-disagree="1"' if r.human and r.human.disagrees else "")
        + (' data-expired="1"' if r.human and r.human.expired else "")
    )
    return (
        f'<article class="card" id="{anchor(r)}" {data} aria-labelledby="{anchor(r)}-h">'
        f'<h4 id="{anchor(r)}-h"><span class="qnum">{number}.</span> {e(r.title)}</h4>'
        f'<p class="answer">{answer_badge(r)} {" ".join(flags)}</p>'
        + machine_line(r)
        + (f'<p class="because"><strong>Because</strong> {e(r.because)}</p>' if r.because else "")
        + _to_settle(r)
        + history
        + (human_box(r.human, r) if r.human else "")
        + f'<details class="more-info"><summary>Evidence, reasons and next level<span class="sr"> for: {e(r.title)}</span></summary>'
        f'<div class="card-body">{body or "<p>No more detail.</p>"}</div></details></article>'
    )
