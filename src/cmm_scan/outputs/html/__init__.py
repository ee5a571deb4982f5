"""`report.html`: one self-contained page for assessors: summary charts, then a card per question.

No network when viewed: CSS, script and SVG are inline and a Content-Security-Policy forbids
fetching anything. Long lists are collapsed and capped so a huge estate stays small.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cmm_scan.catalogue import cmm_category_titles
from cmm_scan.config import Config
from cmm_scan.models import Assessment, QuestionResult
from cmm_scan.outputs.html.assets import CSS, JS
from cmm_scan.outputs.html.cards import anchor, card, e
from cmm_scan.outputs.html.charts import Bar, distribution_chart, legend, question_chart
from cmm_scan.snapshot_io import AtomicFile

FILENAME = "report.html"
SHOWN_COVERAGE = 50
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
FRAMEWORKS = (("cmm", "GOV.UK Cloud Maturity Model"), ("csmm", "Cloud Security Maturity Model"))


def _groups(results: list[QuestionResult], framework: str) -> list[tuple[str, str, list[QuestionResult]]]:
    """(category id, title, questions) in catalogue order."""
    titles = cmm_category_titles() if framework == "cmm" else {}
    order: dict[str, list[QuestionResult]] = {}
    for r in results:
        order.setdefault(r.category, []).append(r)
    return [(cat, titles.get(cat, cat.replace("_", " ").title() or "Other"), items) for cat, items in order.items()]


def _bars(items: list[QuestionResult]) -> list[Bar]:
    return [
        Bar(
            label=r.title,
            answer=r.answer,
            low=r.level_range[0] if r.level_range else None,
            high=r.level_range[1] if r.level_range else None,
            human=r.human.level if r.human else None,
            href="#" + anchor(r),
        )
        for r in items
    ]


def _stats(results: list[QuestionResult]) -> str:
    humans = [r for r in results if r.human]
    items = [
        (len(results), "questions"),
        (sum(1 for r in results if r.suggested_level is not None), "suggested by the scan"),
        (sum(1 for r in results if r.status == "manual"), "need a person"),
        (sum(1 for r in results if r.answer == 0), "answered “I don't know”"),
        (len(humans), "answered by a person"),
        (sum(1 for r in humans if r.human and r.human.disagrees), "disagree with the scan"),
        (sum(1 for r in humans if r.human and r.human.expired), "expired answers"),
    ]
    return '<ul class="stats">' + "".join(f"<li><strong>{n}</strong>{e(label)}</li>" for n, label in items) + "</ul>"


def _summary_table(groups: list[tuple[str, str, list[QuestionResult]]]) -> str:
    rows = []
    for _, title, items in groups:
        answered = [r.answer for r in items if r.answer]
        mean = f"{sum(answered) / len(answered):.1f}" if answered else "–"
        counts = [
            len(items),
            sum(1 for r in items if r.suggested_level is not None),
            sum(1 for r in items if r.status == "manual"),
            sum(1 for r in items if r.human),
            len(items) - len(answered),
        ]
        cells = "".join(f'<td class="n">{n}</td>' for n in counts)
        rows.append(f'<tr><th scope="row">{e(title)}</th>{cells}<td class="n">{mean}</td></tr>')
    head = "".join(
        f'<th scope="col" class="n">{h}</th>'
        for h in ("Questions", "Suggested by the scan", "Need a person", "Person's answer", "I don't know", "Mean answer")
    )
    return f'<table><thead><tr><th scope="col">Category</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _coverage(assessment: Assessment) -> str:
    problems = assessment.source.coverage_problems
    if not problems:
        return f"<p>Every collector read what it needed ({assessment.source.coverage_ok} collector runs).</p>"
    rows = "".join(
        f"<tr><td><code>{e(p.collector)}</code></td><td><code>{e(p.scope)}</code></td><td>{e(p.region)}</td>"
        f"<td>{e(p.status)}</td><td>{e(p.reason)}</td></tr>"
        for p in problems[:SHOWN_COVERAGE]
    )
    more = f"<p class='more'>and {len(problems) - SHOWN_COVERAGE} more</p>" if len(problems) > SHOWN_COVERAGE else ""
    return (
        f'<p class="notice"><strong>{_plural(len(problems), "collector run")} could not read everything.</strong> '
        "Questions that depend on them say “I don't know” rather than guess: missing permission is not low maturity.</p>"
        f"<details><summary>Coverage problems ({len(problems)})</summary><table><thead><tr><th scope='col'>Collector</th>"
        "<th scope='col'>Scope</th><th scope='col'>Region</th><th scope='col'>Status</th><th scope='col'>Reason</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>{more}</details>"
    )


def _estate(assessment: Assessment) -> str:
    """The snapshots pooled, when there is more than one: which cloud, scopes, shard and facts each brought."""
    src = assessment.source
    notice = ""
    if src.partial:
        notice = (
            f'<p class="notice"><strong>Partial estate:</strong> scored without shard {e(", ".join(src.missing_shards))}; '
            "every answer is marked partial.</p>"
        )
    if len(src.snapshots) < 2:
        return notice
    rows = "".join(
        f"<tr><td><code>{e(s.file)}</code></td><td>{e(s.provider)}</td><td>{len(s.scopes)}</td>"
        f"<td>{f'{s.shard[0]}/{s.shard[1]}' if s.shard else '–'}</td><td>{s.fact_count}</td><td>{s.coverage_problems}</td></tr>"
        for s in src.snapshots[:SHOWN_COVERAGE]
    )
    more = f"<p class='more'>and {len(src.snapshots) - SHOWN_COVERAGE} more</p>" if len(src.snapshots) > SHOWN_COVERAGE else ""
    return (
        notice + f"<details><summary>Estate: {_plural(len(src.snapshots), 'snapshot')} from {e(', '.join(src.providers))}</summary>"
        "<table><thead><tr><th scope='col'>Snapshot</th><th scope='col'>Cloud</th><th scope='col'>Scopes</th>"
        "<th scope='col'>Shard</th><th scope='col'>Facts</th><th scope='col'>Coverage problems</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{more}</details>"
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _framework_section(framework: str, heading: str, results: list[QuestionResult]) -> str:
    groups = _groups(results, framework)
    parts = [f'<section aria-labelledby="{framework}-h"><h2 id="{framework}-h">{e(heading)}</h2>']
    number = 0
    for category, title, items in groups:
        chart_id = f"chart-{framework}-{category or 'other'}"
        parts.append(f'<section aria-labelledby="{chart_id}-h"><h3 id="{chart_id}-h">{e(title)}</h3>')
        parts.append(
            f"<figure>{question_chart(chart_id, f'{title}: answer per question', _bars(items))}"
            f"<figcaption>Bars show the answer (0 = I don't know); the dashed band, the levels the evidence allows; "
            f"a diamond, a person's answer. Each label links to its question.</figcaption></figure>"
        )
        for r in items:
            number += 1
            parts.append(card(r, number))
        parts.append("</section>")
    parts.append("</section>")
    return "".join(parts)


def render(assessment: Assessment) -> str:
    src = assessment.source
    cmm = assessment.for_framework("cmm")
    csmm = assessment.for_framework("csmm")
    groups = _groups(cmm, "cmm")
    distribution = [(title, dict(Counter(r.answer for r in items))) for _, title, items in groups]
    if csmm:
        distribution.append(("CSMM (all categories)", dict(Counter(r.answer for r in csmm))))
    scopes = ", ".join(s.name or s.id for s in src.scopes[:3]) + (f" and {len(src.scopes) - 3} more" if len(src.scopes) > 3 else "")
    body = [
        '<a class="skip" href="#main">Skip to the report</a>',
        '<header class="top"><div class="wrap"><h1>Cloud maturity: suggested answers</h1>',
        f"<p>{e(src.provider)} · {_plural(len(src.scopes), 'scope')} ({e(scopes or '–')}) · {_plural(len(src.regions), 'region')} · "
        f"{src.fact_count} facts · snapshot {src.snapshot_started_at:%Y-%m-%d %H:%M} UTC · cmm-scan {e(assessment.tool_version)}</p>",
        '</div></header><main id="main" class="wrap">',
        '<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>',
        _stats(assessment.results),
        "<figure>"
        + distribution_chart("chart-summary", "Answers per category", distribution)
        + "<figcaption>Questions per category by the answer they end with. The table below has the same numbers.</figcaption>"
        + legend()
        + "</figure>",
        _summary_table(groups + ([("csmm", "Cloud Security Maturity Model", csmm)] if csmm else [])),
        _estate(assessment),
        _coverage(assessment),
        '<div class="controls" role="group" aria-label="Show and hide questions">'
        '<button type="button" id="expand-all">Expand all</button>'
        '<button type="button" id="collapse-all">Collapse all</button>'
        '<label for="card-filter">Show</label><select id="card-filter">'
        '<option value="all">all questions</option><option value="suggested">suggested by the scan</option>'
        '<option value="manual">needing a person</option><option value="unknown">“I don\'t know”</option>'
        '<option value="human">with a person\'s answer</option><option value="flagged">disagreeing or expired</option>'
        '</select><span id="filter-count" class="small" role="status" aria-live="polite"></span></div>',
        "</section>",
    ]
    from cmm_scan.outputs.html.policy import owner_section, policy_section

    body += [policy_section(assessment), owner_section(assessment)]
    for framework, heading in FRAMEWORKS:
        results = cmm if framework == "cmm" else csmm
        if results:
            body.append(_framework_section(framework, heading, results))
    body.append(
        "<footer><p class='small'>Levels come from cloud configuration only; a person's answer wins in the export "
        "unless it has expired. Load <code>cmm-assessment.json</code> into the official GOV.UK tool with "
        "“Load a previous report”.</p></footer></main>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Cloud maturity: suggested answers ({e(src.provider)}, {assessment.created_at:%Y-%m-%d})</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}<script>{JS}</script></body></html>\n"
    )


def write(assessment: Assessment, out_dir: Path, config: Config) -> Path:
    path = out_dir / FILENAME
    with AtomicFile(path) as out:
        out.write(render(assessment))
    return path
