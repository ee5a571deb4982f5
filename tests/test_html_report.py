"""report.html: self-contained, capped for huge estates, honest about human answers, accessible."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from cmm_scan.answers import AnswerEntry, apply_answers
from cmm_scan.cli import main
from cmm_scan.config import Config
from cmm_scan.models import Assessment, HistoryPoint
from cmm_scan.outputs import html as html_report
from cmm_scan.outputs.html.cards import SHOWN_IDS
from tests.support.estate import Estate

TODAY = date(2026, 11, 22)


def assessor_assessment(tmp_path: Path, instances: int = 10_000, scopes: int = 20) -> Assessment:
    """A scored estate of `instances` VMs over `scopes` accounts, with the cases an assessor meets:
    a person disagreeing with the scan, an expired answer, a plain one, history, a coverage gap."""
    estate = Estate()
    for n in range(instances):
        estate.fact("compute.instance", scope=f"{100000000000 + n % scopes}", state="running", autoscaled=n % 3 == 0)
    estate.covered("compute.autoscaling_group")
    estate.denied("storage.bucket", scope="100000000001")
    assessment = estate.assess(tmp_path)
    answers = {
        "cost.capacity": AnswerEntry(level=4, note="Most services <script>alert(1)</script> autoscale", answered_by="A. Assessor"),
        "people.training": AnswerEntry(
            level=3, note="Training records", answered_by="B. Lead", expires=TODAY - timedelta(days=1),
            links=["https://wiki.example/training", "javascript:alert(1)"],
        ),
        "people.hiring": AnswerEntry(level=2, answered_by="C. Lead", answered_on=TODAY, expires=TODAY + timedelta(days=300)),
    }  # fmt: skip
    apply_answers(assessment, answers, today=TODAY)
    capacity = next(r for r in assessment.results if r.id == "cost.capacity")
    capacity.history = [
        HistoryPoint(run_id=f"run{n}", at=datetime(2026, m, 1, tzinfo=UTC), answer=a) for n, (m, a) in enumerate([(6, 1), (8, 2), (10, 3)])
    ]
    return assessment


def _card(page: str, rule_id: str) -> str:
    start = page.index(f'id="q-{rule_id.replace(".", "-")}"')
    return page[start : page.index("</article>", start)]


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def test_ten_thousand_resources_stay_small_and_capped(tmp_path):
    assessment = assessor_assessment(tmp_path)
    path = html_report.write(assessment, tmp_path / "out", Config())
    page = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 5_000_000
    capacity = _card(page, "cost.capacity")
    assert "Running virtual machines" in capacity
    assert "and 9975 more" in capacity  # 10,000 running VMs, SHOWN_IDS of them listed
    assert capacity.count("<code>compute.instance/") <= 3 * SHOWN_IDS
    assert "Per scope (20)" in capacity


def test_self_contained_no_network_when_viewed(tmp_path):
    page = html_report.render(assessor_assessment(tmp_path, instances=50))
    parsed = _Outline()
    parsed.feed(page)
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, tag  # no external script, image or frame
        assert tag != "link", attrs
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # the CSP forbids fetching even if something slipped in
    external = {a["href"] for t, a in parsed.tags if t == "a" and a.get("href", "").startswith("http")}
    allowed = ("https://co-cddo.github.io/cloudmaturity/assessment/", "https://wiki.example/")
    assert external and all(h.startswith(allowed) for h in external)


def test_human_answers_shown_apart_with_flags(tmp_path):
    page = html_report.render(assessor_assessment(tmp_path, instances=30))
    capacity = _card(page, "cost.capacity")
    assert 'Answer 4</span> <span class="src">from a person' in capacity
    assert "Scan suggests</dt><dd>level 3" in capacity  # the machine's own answer stays visible
    assert "Disagrees with the scan (level 3)" in capacity
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in capacity and "<script>alert" not in page
    training = _card(page, "people.training")
    assert "Expired 2026-11-21: not used" in training and 'data-expired="1"' in training
    assert 'I don\'t know</span> <span class="src">no answer' in training  # manual question: falls back to 0
    assert '<a href="https://wiki.example/training"' in training
    assert 'href="javascript' not in page and "<code>javascript:alert(1)</code>" in training
    hiring = _card(page, "people.hiring")
    assert "Answer 2" in hiring and "flag" not in hiring.split("</p>")[0]  # a manual question: nothing to disagree with


def test_cards_have_guidance_next_level_and_history(tmp_path):
    assessment = assessor_assessment(tmp_path, instances=30)
    page = html_report.render(assessment)
    capacity = _card(page, "cost.capacity")
    key = next(r.key for r in assessment.results if r.id == "cost.capacity")
    assert f'href="https://co-cddo.github.io/cloudmaturity/assessment/cost/#{key}"' in capacity
    assert "To reach level 4:" in capacity
    assert 'id="spark-q-cost-capacity"' in capacity and "2026-06-01: 1; 2026-08-01: 2; 2026-10-01: 3; this run: 4" in capacity
    assert "spark-" not in _card(page, "cost.spend")  # no history, no sparkline
    assert page.count('<article class="card"') == len(assessment.results)
    assert page.count("Official guidance for this question") == len(assessment.for_framework("cmm"))


def test_accessible_structure(tmp_path):
    page = html_report.render(assessor_assessment(tmp_path, instances=30))
    parsed = _Outline()
    parsed.feed(page)
    assert page.startswith('<!DOCTYPE html><html lang="en">')
    assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1
    for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{before} followed by h{after}"
    charts = [a for t, a in parsed.tags if t == "svg" and "chart" in (a.get("class") or "")]
    assert charts and all(a.get("role") == "img" and a.get("aria-labelledby") for a in charts)
    assert ":focus" in page and "<details" in page and "<summary>" in page


def test_html_format_and_demo_write_report(tmp_path):
    assert main(["demo", "--output-dir", str(tmp_path / "demo"), "-q"]) == 0
    assert (tmp_path / "demo" / "report.html").stat().st_size > 10_000
    assert main(["demo", "--output-dir", str(tmp_path / "only"), "--format", "html", "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "only").iterdir()) == ["report.html"]
