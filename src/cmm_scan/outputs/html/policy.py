"""The policy view (each must's verdict per scope) and the owner view (what each owner has to fix,
and where) of report.html. Both are plain tables and lists; a small script filters them by owner."""

from __future__ import annotations

from cmm_scan.models import Assessment, CheckResult
from cmm_scan.outputs.html.cards import answer_badge, e
from cmm_scan.outputs.ownership_views import VERDICT_TEXT, grouped, owner_keys

SHOWN_SCOPES = 30
STYLE = (
    "<style>.v{display:inline-block;padding:1px 7px;font-weight:600;border:1px solid var(--border);white-space:nowrap}"
    ".v-holds{background:#e6f4ea;color:#0b5a1e}.v-does_not_hold{background:var(--red-bg);color:var(--red)}"
    ".v-cannot_tell{background:var(--amber-bg);color:var(--amber)}.v-not_applicable,.v-for_a_person{background:var(--panel)}"
    ".matrix{overflow-x:auto}.owner-group{border-left:5px solid var(--link);padding:4px 14px;margin:12px 0}</style>"
)
SCRIPT = (
    "<script>(() => { const pick = document.getElementById('owner-select'); if (!pick) return;"
    " const apply = () => { const who = pick.value; let shown = 0;"
    " document.querySelectorAll('[data-owners]').forEach(el => { const on = who === 'all' ||"
    " JSON.parse(el.dataset.owners).includes(who); el.hidden = !on; if (on && el.classList.contains('owner-group')) shown++; });"
    " document.getElementById('owner-count').textContent = who === 'all' ? '' : `showing ${who}`; };"
    " pick.addEventListener('change', apply); apply(); })();</script>"
)


def _verdict(verdict: str) -> str:
    return f'<span class="v v-{e(verdict)}">{e(VERDICT_TEXT[verdict])}</span>'  # type: ignore[index]


def _owners_attr(keys: list[str]) -> str:
    import json

    return e(json.dumps(keys))


def _check_row(c: CheckResult, scopes: list[str]) -> str:
    by_scope = {s.scope: s for s in c.scopes}
    cells = "".join(f"<td>{_verdict(by_scope[s].verdict)}</td>" if s in by_scope else '<td class="small">judged once</td>' for s in scopes)
    owner = ", ".join(owner_keys(c.owner)) if c.owner else "–"
    return (
        f'<tr id="p-{e(c.id)}" data-owners="{_owners_attr(owner_keys(c.owner))}"><th scope="row">{e(c.title)}'
        f'<details><summary class="small">statement and evidence</summary><blockquote>{e(c.statement)}</blockquote>'
        f'<p class="small">{e(c.reference)}</p><p>{e(c.because)}</p>'
        + "".join(f"<p class='small'>{e(x.description)}: {e(x.display)}</p>" for x in c.evidence)
        + "".join(f"<p class='small'>{e(r)}</p>" for r in c.reasons[:5])
        + f"</details></th><td>{_verdict(c.verdict)}</td><td>{e(owner)}</td>{cells}</tr>"
    )


def policy_section(assessment: Assessment) -> str:
    policy = assessment.policy
    if policy is None:
        return ""
    judged = [c for c in policy.checks if c.verdict != "for_a_person"]
    manual = [c for c in policy.checks if c.verdict == "for_a_person"]
    scopes = sorted({s.scope for c in judged for s in c.scopes})[:SHOWN_SCOPES]
    teams = {s.scope: s.team for c in judged for s in c.scopes if s.team}
    counts = policy.counts()
    stats = "".join(f"<li><strong>{counts.get(v, 0)}</strong>{e(text)}</li>" for v, text in VERDICT_TEXT.items())
    head = "".join(
        f'<th scope="col"><code>{e(s)}</code>' + (f"<br><span class='small'>{e(teams[s])}</span>" if s in teams else "") + "</th>"
        for s in scopes
    )
    rows = "".join(_check_row(c, scopes) for c in judged)
    person = "".join(
        f'<li data-owners="{_owners_attr(owner_keys(c.owner))}"><strong>{e(c.title)}</strong> ({e(c.reference)}) — “{e(c.statement)}”'
        f"<ul>{''.join(f'<li>{e(item)}</li>' for item in c.evidence_to_bring)}</ul></li>"
        for c in manual
    )
    return (
        f'{STYLE}<section id="policy" aria-labelledby="policy-h"><h2 id="policy-h">Policy: {e(policy.title)}</h2>'
        f'<p class="small">{e(policy.source)}. A must <em>cannot tell</em> when a read was denied or failed: '
        "that is never counted as a breach.</p>"
        f'<ul class="stats" id="policy-stats">{stats}</ul>'
        f'<div class="matrix"><table id="policy-matrix"><caption class="small">Each must, per scope</caption><thead><tr>'
        f'<th scope="col">Must</th><th scope="col">Estate</th><th scope="col">Owner</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        + (f'<h3>For a person ({len(manual)})</h3><ul id="policy-person">{person}</ul>' if manual else "")
        + "</section>"
    )


def owner_section(assessment: Assessment) -> str:
    resp = assessment.responsibility
    if resp is None:
        return ""
    groups = grouped(assessment)
    options = "".join(f'<option value="{e(owner)}">{e(owner)}</option>' for owner in groups)
    parts = [
        f'<section id="owners" aria-labelledby="owners-h"><h2 id="owners-h">By owner</h2>'
        f'<p class="small">Responsibility model: {e(resp.name)}, reviewed {e(resp.reviewed_on or "never")}.'
        + (f" Showing only <strong>{e(resp.owner_filter)}</strong> (--owner)." if resp.owner_filter else "")
        + "</p>"
        f'<div class="controls"><label for="owner-select">Owner</label><select id="owner-select">'
        f'<option value="all">everyone</option>{options}</select>'
        f'<span id="owner-count" class="small" role="status" aria-live="polite"></span></div>'
    ]
    for owner, (checks, questions) in groups.items():
        items = "".join(
            f'<li>{_verdict(c.verdict)} <a href="#p-{e(c.id)}">{e(c.title)}</a>'
            + (f" in {e(', '.join(s.scope for s in c.scopes if s.verdict == c.verdict))}" if c.scopes else "")
            + "</li>"
            for c in checks
        )
        answers = "".join(f"<li>{answer_badge(r)} {e(r.title)}</li>" for r in questions)
        parts.append(
            f'<section class="owner-group" data-owners="{_owners_attr([owner])}"><h3>{e(owner)}</h3>'
            + (f"<h4>Musts to fix ({len(checks)})</h4><ul>{items}</ul>" if checks else "<p>No must fails or is unknown here.</p>")
            + f"<details><summary>Questions ({len(questions)})</summary><ul>{answers}</ul></details></section>"
        )
    parts.append("</section>")
    return "".join(parts) + SCRIPT
