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
        ("provider: azure\nfaults:\n  deny:\n    - {}\n", "estate.yaml:4: faults.deny.0: Value error, a deny entry needs an operation"),
        ("provider: azure\nfaults:\n  throttle: 2\n", "estate.yaml:3: faults.throttle.share: Input should be less than or equal to 1"),
        (
            "provider: gcp\nassets:\n  - name: //x/y\n    assetType: a/B\n    ancestors: [projects/1, bogus]\n",
            "estate.yaml:5: assets.0.ancestors: Value error, ancestor 'bogus' is not projects/N",
        ),
        (
            "provider: oci\nregional:\n  uk-london-1:\n    20160918/instances:\n      - {displayName: x}\n",
            "estate.yaml:5: regional.uk-london-1.20160918/instances.0.id: Field required",
        ),
        # without regionSubscriptions the home region (uk-london-1) alone is subscribed
        (
            "provider: oci\nregional:\n  eu-frankfurt-1: {}\n",
            "estate.yaml:3: regional: Value error, region eu-frankfurt-1 has resources but",
        ),
        ("provider: azure\nresources: [\n", "estate.yaml:3: not valid YAML"),
    ],
)
def test_a_malformed_estate_is_refused_with_file_line_and_path(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(UserError) as refused:
        load_estate(provider(text.split()[1]), write(tmp_path, text))
    assert expected in refused.value.line()
    assert "\n" not in refused.value.line()


@pytest.mark.parametrize("name", ["azure", "gcp", "oci", "github"])
def test_the_example_estates_load(name: str) -> None:
    estate = load_estate(provider(name), EXAMPLES / f"{name}-example.yaml")
    assert estate.provider == name


def cmm_scan(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from cmm_scan.cli import main; sys.exit(main())", *args]


@pytest.fixture
def never_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input must stop before serving; if it did not, fail rather than serve forever."""
    from cmm_scan.emulate.core import Emulator

    def refuse(self: Emulator) -> None:
        raise AssertionError("the emulator started serving on bad input")

    monkeypatch.setattr(Emulator, "serve_forever", refuse)


@pytest.mark.usefixtures("never_serves")
def test_a_bad_estate_exits_2_with_one_line_and_prints_no_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cmm_scan.cli import main

    bad = write(tmp_path, "provider: azure\nsubscription: []\n")
    assert main(["emulate", "azure", "--estate", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "estate.yaml:2: subscription: Extra inputs are not permitted" in err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--throttle", "1.5"], "--throttle 1.5 is not a share"),
        (["--page-size", "0"], "--page-size 0"),
        (["--request-log", "{tmp}/no-such-dir/log.jsonl"], "no-such-dir/log.jsonl: not a regular file in an existing directory"),
        (["--request-log", "{tmp}"], ": not a regular file"),
    ],
)
@pytest.mark.usefixtures("never_serves")
def test_bad_options_exit_2(option: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cmm_scan.cli import main

    option = [o.format(tmp=tmp_path) for o in option]
    assert main(["emulate", "azure", "--estate", str(EXAMPLES / "azure-example.yaml"), *option]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_emulate_prints_settings_that_work_and_exits_0_on_interrupt(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    command = cmm_scan("emulate", "azure", "--estate", str(EXAMPLES / "azure-example.yaml"), "--page-size", "1", "--request-log", str(log))
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        settings = {}
        while len(settings) < 9:
            line = server.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("export "), line
            name, _, value = line[len("export ") :].strip().partition("=")
            settings[name] = value.strip("'")
        assert set(settings) == {
            "AZURE_ACCESS_TOKEN",
            "CMM_SCAN_AZURE_ENDPOINT",
            "CMM_SCAN_GRAPH_ENDPOINT",
            "CMM_SCAN_AZURE_BLOB_ENDPOINT",
            "CMM_SCAN_DEVOPS_ENDPOINT",
            "CMM_SCAN_DEVOPS_RELEASE_ENDPOINT",
            "CMM_SCAN_ACR_ENDPOINT",
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


def _serve(provider_name: str, count: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = cmm_scan("emulate", provider_name, "--estate", str(EXAMPLES / f"{provider_name}-example.yaml"))
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    settings = {}
    while len(settings) < count:
        line = server.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("export "), line
        name, _, value = line[len("export ") :].strip().partition("=")
        settings[name] = value.strip("'")
    return server, settings


def test_gcp_settings_are_application_default_credentials_and_one_endpoint() -> None:
    import json

    server, settings = _serve("gcp", 2)
    try:
        key = json.loads(Path(settings["GOOGLE_APPLICATION_CREDENTIALS"]).read_text())
        assert key["type"] == "service_account"
        assert key["token_uri"] == f"{settings['CMM_SCAN_GCP_ENDPOINT']}/token"
        unauthenticated = requests.get(f"{settings['CMM_SCAN_GCP_ENDPOINT']}/v3/projects:search", timeout=10)
        assert unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)
    assert server.returncode == 0
    assert not Path(settings["GOOGLE_APPLICATION_CREDENTIALS"]).exists(), "the throwaway key is removed on exit"


def test_oci_settings_are_a_config_file_and_a_region_template() -> None:
    import oci

    server, settings = _serve("oci", 2)
    try:
        config = oci.config.from_file(settings["OCI_CONFIG_FILE"])
        oci.config.validate_config(config)
        assert (config["tenancy"], config["region"]) == ("ocid1.tenancy.oc1..aaaaaaaaexampletenancy", "uk-london-1")
        endpoint = settings["CMM_SCAN_OCI_ENDPOINT"].format(region="uk-cardiff-1")
        identity = oci.identity.IdentityClient(config, service_endpoint=endpoint, retry_strategy=oci.retry.NoneRetryStrategy())
        assert [c.name for c in identity.list_compartments(config["tenancy"]).data] == ["platform", "sandbox"]
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)
    assert server.returncode == 0


def test_github_settings_are_a_token_and_an_api_url_the_scan_uses(tmp_path: Path) -> None:
    """The printed exports are all `scan repos --github-org` needs; the token is in no output."""
    server, settings = _serve("github", 2)
    try:
        assert settings["GITHUB_TOKEN"].startswith("ghp_")
        unauthenticated = requests.get(f"{settings['CMM_SCAN_GITHUB_API_URL']}/orgs/example-dept/repos", timeout=10)
        assert (unauthenticated.status_code, unauthenticated.json()["message"]) == (401, "Requires authentication")
        env = {**os.environ, **settings, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        out = tmp_path / "out"
        done = subprocess.run(
            cmm_scan("scan", "repos", "--github-org", "example-dept", "-o", str(out), "--format", "json", "--no-store", "-q"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        written = b"".join(p.read_bytes() for p in out.iterdir())
        assert b"example-dept/payments" in written and settings["GITHUB_TOKEN"].encode() not in written
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)
    assert server.returncode == 0
