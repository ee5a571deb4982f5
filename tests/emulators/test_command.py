"""`cmm-scan emulate`: estate files refused with file, line and path; the served settings work as printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from cmm_scan.emulate import provider
from cmm_scan.emulate.core import load_estate
from cmm_scan.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "emulator"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "estate.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "provider: azure\nsubscriptions:\n  - subscriptionId: s1\nfaults:\n  deny:\n    - operaton: x\n",
            "estate.yaml:6: faults.deny.0.operaton: Extra inputs are not permitted",
        ),
        (
            "provider: azure\nresources:\n  - id: /subscriptions/s1/resourceGroups/rg\n    type: Microsoft.Resources/resourceGroups\n"
            "  - id: subscriptions/s1/resourceGroups/rg2\n    type: Microsoft.Resources/resourceGroups\n",
            "estate.yaml:5: resources.1.id: Value error, an ARM id starts with /",
        ),
        ("provider: azure\nsubscriptions:\n  - displayName: no id\n", "estate.yaml:3: subscriptions.0.subscriptionId: Field required"),
        ("provider: azure\nfaults:\n  throttle: 2\n", "estate.yaml:3: faults.throttle.share: Input should be less than or equal to 1"),
        ("provider: gcp\n", "estate.yaml:1: provider: Input should be 'azure'"),
        ("provider: azure\nresources: [\n", "estate.yaml:3: not valid YAML"),
    ],
)
def test_a_malformed_estate_is_refused_with_file_line_and_path(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(UserError) as refused:
        load_estate(provider("azure"), write(tmp_path, text))
    assert expected in refused.value.line()
    assert "\n" not in refused.value.line()


@pytest.mark.parametrize("name", ["azure", "gcp", "oci"])
def test_the_example_estates_load(name: str) -> None:
    estate = load_estate(provider(name), EXAMPLES / f"{name}-example.yaml")
    assert estate.provider == name


def cmm_scan(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from cmm_scan.cli import main; sys.exit(main())", *args]


def test_a_bad_estate_exits_2_with_one_line_and_prints_no_settings(tmp_path: Path) -> None:
    bad = write(tmp_path, "provider: azure\nsubscription: []\n")
    done = subprocess.run(cmm_scan("emulate", "azure", "--estate", str(bad)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "estate.yaml:2: subscription: Extra inputs are not permitted" in done.stderr


@pytest.mark.parametrize(
    ("option", "message"), [(["--throttle", "1.5"], "--throttle 1.5 is not a share"), (["--page-size", "0"], "--page-size 0")]
)
def test_bad_options_exit_2(option: list[str], message: str) -> None:
    estate = str(EXAMPLES / "azure-example.yaml")
    done = subprocess.run(cmm_scan("emulate", "azure", "--estate", estate, *option), capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr


def test_emulate_prints_settings_that_work_and_exits_0_on_interrupt(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    command = cmm_scan("emulate", "azure", "--estate", str(EXAMPLES / "azure-example.yaml"), "--page-size", "1", "--request-log", str(log))
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        settings = {}
        while len(settings) < 5:
            line = server.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("export "), line
            name, _, value = line[len("export ") :].strip().partition("=")
            settings[name] = value.strip("'")
        assert set(settings) == {
            "AZURE_ACCESS_TOKEN",
            "CMM_SCAN_AZURE_ENDPOINT",
            "CMM_SCAN_GRAPH_ENDPOINT",
            "REQUESTS_CA_BUNDLE",
            "SSL_CERT_FILE",
        }
        response = requests.get(
            f"{settings['CMM_SCAN_AZURE_ENDPOINT']}/subscriptions",
            params={"api-version": "2022-12-01"},
            headers={"Authorization": f"Bearer {settings['AZURE_ACCESS_TOKEN']}"},
            verify=settings["REQUESTS_CA_BUNDLE"],
            timeout=10,
        )
        assert response.status_code == 200
        assert [s["displayName"] for s in response.json()["value"]] == ["platform-prod"]
        assert "nextLink" in response.json()
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert server.returncode == 0
    assert "Traceback" not in err
    assert log.read_text().count("\n") == 1
    assert not Path(settings["REQUESTS_CA_BUNDLE"]).exists(), "the throwaway CA is removed on exit"
