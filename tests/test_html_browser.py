"""report.html in a real headless Chromium, driven over the DevTools protocol.

Proves what a static check cannot: the page runs without console errors, the SVG charts lay
out with a real size, question cards open by mouse and by keyboard, and viewing the report
makes no network request at all. Leaves a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from cmm_scan.config import Config
from cmm_scan.outputs import html as html_report
from tests.support.system import require_program
from tests.test_html_report import assessor_assessment

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1200,900", "about:blank",
]  # fmt: skip


class Page:
    """A minimal DevTools client: one page target, commands in order, events collected."""

    def __init__(self, ws: websocket.WebSocket, session: str):
        self.ws, self.session, self.events, self._id = ws, session, [], 100

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params, "sessionId": self.session}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if event["method"] == method:
                    return event
            self.ws.settimeout(max(deadline - time.monotonic(), 0.1))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in message:
                self.events.append(message)
        raise AssertionError(f"no {method} within {timeout}s")

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def key(self, key: str, code: int, text: str = "") -> None:
        for kind in ("keyDown", "keyUp"):
            params: dict[str, Any] = {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}
            if text and kind == "keyDown":
                params["text"] = text
            self.send("Input.dispatchKeyEvent", **params)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory) -> Iterator[Page]:
    binary = require_program("chromium", ["/usr/bin/chromium"], "apt-get install chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([binary, f"--user-data-dir={profile}", *FLAGS], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            assert proc.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port, path = port_file.read_text().split()
        ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=30, suppress_origin=True)
        ws.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
        target = _reply(ws, 1)["targetId"]
        ws.send(json.dumps({"id": 2, "method": "Target.attachToTarget", "params": {"targetId": target, "flatten": True}}))
        yield Page(ws, _reply(ws, 2)["sessionId"])
        ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _reply(ws: websocket.WebSocket, wanted: int) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv())
        if message.get("id") == wanted:
            return message["result"]


@pytest.fixture(scope="module")
def loaded(chromium: Page, tmp_path_factory) -> tuple[Page, dict[str, Any]]:
    """The report of a 10,000-VM estate, loaded with every error and request recorded."""
    out = tmp_path_factory.mktemp("report")
    report = html_report.write(assessor_assessment(out), out, Config())
    page = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        page.send(f"{domain}.enable")
    page.events.clear()
    started = time.monotonic()
    page.send("Page.navigate", url=report.as_uri())
    page.wait_for("Page.loadEventFired")
    elapsed = time.monotonic() - started
    timing = page.js(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()"
    )
    return page, {"url": report.as_uri(), "wall": elapsed, **timing, "size": report.stat().st_size}


def test_loads_without_errors_or_network(loaded):
    page, info = loaded
    problems = [
        e["params"]
        for e in page.events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))
    ]
    assert problems == []
    requests = [e["params"]["request"]["url"] for e in page.events if e["method"] == "Network.requestWillBeSent"]
    assert requests == [info["url"]], "viewing the report must fetch nothing but itself"
    assert info["dcl"] < 2000, f"DOMContentLoaded after {info['dcl']:.0f} ms"
    print(f"\nreport {info['size']} bytes; DOMContentLoaded {info['dcl']:.0f} ms, load {info['load']:.0f} ms")


def test_charts_render_with_size(loaded):
    page, _ = loaded
    charts = page.js(
        "[...document.querySelectorAll('svg.chart')].map(s => { const r = s.getBoundingClientRect();"
        " return {id: s.id, w: r.width, h: r.height, bars: s.querySelectorAll('rect').length}; })"
    )
    assert len(charts) >= 8  # the summary, seven CMM categories, CSMM
    assert all(c["w"] > 100 and c["h"] > 20 for c in charts), charts
    summary = next(c for c in charts if c["id"] == "chart-summary")
    assert summary["bars"] >= 8
    bar = page.js(
        "(() => { const r = document.querySelector('#chart-summary rect').getBoundingClientRect(); return r.width * r.height; })()"
    )
    assert bar > 0


def test_card_opens_by_click_and_by_keyboard(loaded):
    page, _ = loaded
    page.js("document.querySelectorAll('details.more-info').forEach(d => d.open = false); window.scrollTo(0, 0)")
    box = page.js(
        "(() => { const s = document.querySelector('#q-cost-capacity details.more-info > summary');"
        " s.scrollIntoView({block: 'center'}); const r = s.getBoundingClientRect();"
        " return {x: r.left + 20, y: r.top + r.height / 2}; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)
    assert page.js("document.querySelector('#q-cost-capacity details.more-info').open") is True
    assert page.js("document.querySelector('#q-cost-capacity details.more-info .card-body').getBoundingClientRect().height") > 50
    page.send("Page.captureScreenshot")  # let the layout settle before the keyboard part

    page.js("document.querySelector('#q-people-training details.more-info > summary').focus()")
    assert page.js("document.activeElement.closest('article').id") == "q-people-training"
    page.key("Enter", 13, "\r")
    assert page.js("document.querySelector('#q-people-training details.more-info').open") is True
    page.key(" ", 32, " ")
    assert page.js("document.querySelector('#q-people-training details.more-info').open") is False

    page.events.clear()
    page.send("Page.reload")  # a fresh page: keyboard focus starts at the top
    page.wait_for("Page.loadEventFired")
    page.key("Tab", 9)
    assert page.js("document.activeElement.className") == "skip"  # the first stop is the skip link
    assert page.js("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus is visible


def test_expand_all_and_filter(loaded):
    page, _ = loaded
    page.js("document.getElementById('expand-all').click()")
    assert page.js("[...document.querySelectorAll('details.more-info')].every(d => d.open)") is True
    page.js("document.getElementById('collapse-all').click()")
    assert page.js("[...document.querySelectorAll('details.more-info')].some(d => d.open)") is False
    page.js("(() => { const f = document.getElementById('card-filter'); f.value = 'flagged'; f.dispatchEvent(new Event('change')); })()")
    shown = page.js("[...document.querySelectorAll('article.card')].filter(c => !c.hidden).map(c => c.id)")
    assert shown == ["q-cost-capacity", "q-people-training"]
    page.js("(() => { const f = document.getElementById('card-filter'); f.value = 'all'; f.dispatchEvent(new Event('change')); })()")


def test_screenshot(loaded):
    page, _ = loaded
    page.js("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.send("Emulation.setDeviceMetricsOverride", width=1200, height=1500, deviceScaleFactor=1, mobile=False)
    shot = page.send("Page.captureScreenshot", format="png")["data"]
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report.png"
    target.write_bytes(base64.b64decode(shot))
    assert target.stat().st_size > 20_000  # a blank page compresses to almost nothing
