"""The policy view and the owner view of report.html in a real headless Chromium.

The demo estate scored with the DWP baseline and the bundled Cabinet Office responsibility model:
the page loads without errors or requests, the matrix shows each must per account, and choosing an
owner shows only what that owner has to fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from cmm_scan.cli import main
from cmm_scan.paths import bundled
from tests.test_html_browser import Page, chromium  # noqa: F401  (the module-scoped browser fixture)


@pytest.fixture(scope="module")
def policy_page(chromium: Page, tmp_path_factory) -> tuple[Page, str]:  # noqa: F811
    out = tmp_path_factory.mktemp("policy-report")
    model = bundled("responsibility") / "cabinet-office-aws.yaml"
    argv = [
        "demo",
        "-q",
        "--no-store",
        "-o",
        str(out),
        "--format",
        "html",
        "--baseline",
        "dwp-cloud-security",
        "--responsibility",
        str(model),
    ]
    assert main(argv) == 0
    page = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        page.send(f"{domain}.enable")
    page.events.clear()
    url = (out / "report.html").as_uri()
    page.send("Page.navigate", url=url)
    page.wait_for("Page.loadEventFired")
    return page, url


def _problems(page: Page) -> list[Any]:
    return [
        e["params"]
        for e in page.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))
    ]


def test_policy_matrix_shows_each_must_per_scope(policy_page) -> None:
    page, url = policy_page
    assert _problems(page) == []
    assert [e["params"]["request"]["url"] for e in page.events if e["method"] == "Network.requestWillBeSent"] == [url]
    columns = page.js("[...document.querySelectorAll('#policy-matrix thead th code')].map(c => c.textContent)")
    assert columns == ["111111111111", "222222222222", "333333333333"]
    row = page.js("[...document.querySelectorAll('#p-identity\\\\.phishing_resistant_privileged td .v')].map(v => v.textContent)")
    assert row == ["does not hold", "does not hold", "holds", "holds"]  # the estate, then each account
    assert page.js("document.querySelectorAll('#policy-matrix tbody tr').length") == 20
    assert page.js("document.querySelector('#policy-matrix').getBoundingClientRect().height") > 200
    assert page.js("document.querySelectorAll('#policy-person > li').length") == 15


def test_choosing_an_owner_shows_what_it_must_fix(policy_page) -> None:
    page, _ = policy_page
    page.js(
        "(() => { const s = document.getElementById('owner-select'); s.value = 'Cyber security'; s.dispatchEvent(new Event('change')); })()"
    )
    visible = page.js("[...document.querySelectorAll('.owner-group')].filter(g => !g.hidden).map(g => g.querySelector('h3').textContent)")
    assert visible == ["Cyber security"]
    assert page.js("document.getElementById('p-logging.everywhere').hidden") is False
    assert page.js("document.getElementById('p-identity.phishing_resistant_privileged').hidden") is True
    fixes = page.js("[...document.querySelectorAll('.owner-group:not([hidden]) h4 + ul li a')].map(a => a.textContent)")
    assert "Security logging is on in every account and region" in fixes
    page.js("(() => { const s = document.getElementById('owner-select'); s.value = 'all'; s.dispatchEvent(new Event('change')); })()")
    assert page.js("[...document.querySelectorAll('.owner-group')].every(g => !g.hidden)") is True
    assert _problems(page) == []
