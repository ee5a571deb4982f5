"""Estates nobody here wrote (issues #12-#14): written in the emulator's documented format as an outside user
plausibly would — sparse (only the ids, names and types docs/emulator.md requires), odd but valid (nulls, empty
lists and objects, other spellings, unicode, long names, zero, other timestamp forms, resources outside the scan)
and empty — scanned by `cmm-scan scan gcp` through the real SDK transport and scored by `cmm-scan score`. No
collector may end in an internal error (one bad item would turn its evidence unknown in every scope), and the
emulator must answer every request (an emulator error is a 400 "emulator error: ..." in its log).

Below the estates, one focused regression test for each crash they found."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmm_scan.cli import main
from cmm_scan.cloud.jmes import search
from cmm_scan.cloud.transforms import age_days
from cmm_scan.gcp.adapter import catalogue
from cmm_scan.gcp.transforms import autoscaling_summary, firewall_exposure
from cmm_scan.models import Coverage, Fact, SnapshotHeader
from cmm_scan.snapshot_io import read_records
from tests.gcp import estates
from tests.gcp.support import scan
from tests.support.emulators import printed_settings

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "gcp-demo.yaml"
DEMO_ORG = "300000000001"
FINISHED = {"ok", "denied", "not_enabled", "error"}
# the collectors that read the organisation's directory, which needs a directory admin role the estates' scanner lacks
DIRECTORY = {"cloudidentity.directory", "cloudidentity.inbound_sso", "cloudidentity.password_policy", "iam.people"}


def _demo() -> dict[str, Any]:
    """The demo organisation, with the two reads its `rest:` leaves out: a SAML profile people are sent to, and the
    IAM recommender's recommendations."""
    estate = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    profile = "inboundSamlSsoProfiles/0abc"
    estate["rest"]["v1/inboundSamlSsoProfiles"] = [
        {
            "name": profile,
            "customer": "customers/C0demo",
            "displayName": "Entra ID",
            "idpConfig": {"entityId": "https://sts.windows.net/t/", "singleSignOnServiceUri": "https://login.example/saml"},
        }
    ]
    estate["rest"]["v1/inboundSsoAssignments"].append(
        {
            "name": "inboundSsoAssignments/0ops",
            "targetOrgUnit": "orgUnits/0ops",
            "ssoMode": "SAML_SSO",
            "samlSsoInfo": {"inboundSamlSsoProfile": profile},
        }
    )
    recommender = f"v1/organizations/{DEMO_ORG}/locations/global/recommenders/google.iam.policy.Recommender/recommendations"
    estate["rest"][recommender] = [
        {
            "name": f"{recommender.removeprefix('v1/')}/r1",
            "recommenderSubtype": "REMOVE_ROLE",
            "priority": "P4",
            "stateInfo": {"state": "ACTIVE"},
        }
    ]
    return estate


def _drawn_asset_types() -> set[str]:
    """Every asset type a GCP collector or lookup draws from the inventory: what the estates must hold."""
    cat = catalogue()
    draws = [c.draw for c in cat.collectors.values()] + [lookup.draw for lookup in cat.lookups.values()]
    return {key for d in draws if d is not None for key in d.keys}


# --- the estates ------------------------------------------------------------------------------

IDS = ("name", "id", "projectId")  # what docs/emulator.md needs of an object: its ids and names


def sparse_estate() -> dict[str, Any]:
    """The demo organisation with every optional field gone: each asset keeps name, assetType, ancestors and a
    resource whose data holds only its ids; no location, IAM or org policies; `rest:` objects only their names;
    log entries only where they were written and when."""
    estate = _demo()
    for asset in estate["assets"]:
        for optional in ("iamPolicy", "orgPolicy"):
            asset.pop(optional, None)
        data = (asset.get("resource") or {}).get("data") or {}
        asset["resource"] = {"version": asset.get("resource", {}).get("version", "v1"), "data": {k: data[k] for k in IDS if k in data}}

    def ids(item: Any) -> Any:
        return {k: v for k, v in item.items() if k in IDS} if isinstance(item, dict) else item

    def bare(body: Any) -> Any:  # a collection's items, or an object (and the lists it wraps), down to their ids
        if isinstance(body, list):
            return [ids(i) for i in body]
        return {k: ([ids(i) for i in v] if isinstance(v, list) else v) for k, v in body.items() if k in IDS or isinstance(v, list)}

    estate["rest"] = {path: bare(body) for path, body in estate["rest"].items()}
    estate["log_entries"] = [{k: e[k] for k in ("logName", "timestamp", "insertId") if k in e} for e in estate["log_entries"]]
    return estate


def thinned_estate(turn: int) -> dict[str, Any]:
    """The demo with, at every level of every resource, `rest:` object and log entry, one key in three set to null,
    one in three emptied ([] / {} / "") and the rest kept (and thinned below): over turns 0, 1 and 2 every optional
    field is null once and empty once, the shapes Google's JSON takes where a field is unset."""
    keep = {"name", "assetType", "ancestors", "projectId", "logName", "timestamp", "version"}

    def thin(value: Any) -> Any:
        if isinstance(value, list):
            return [thin(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for i, (key, item) in enumerate(sorted(value.items())):
            role = (i + turn) % 3
            if key in keep or role == 2:
                out[key] = thin(item)
            elif role == 0:
                out[key] = None
            else:
                out[key] = type(item)() if isinstance(item, list | dict | str) else item
        return out

    estate = _demo()
    for asset in estate["assets"]:
        if "resource" in asset:
            asset["resource"]["data"] = thin(asset["resource"].get("data") or {})
        for key in ("iamPolicy", "orgPolicy"):
            if key in asset:
                asset[key] = thin(asset[key])
    estate["rest"] = {path: thin(body) for path, body in estate["rest"].items()}
    estate["log_entries"] = [thin(e) for e in estate["log_entries"]]
    return estate


LONG = "ŵeb-" + "ñ" * 40 + "-中文-" + "x" * 200


def odd_estate() -> dict[str, Any]:
    """Valid values the fixtures do not use: lower- and mixed-case enums and locations, unicode and very long names
    and labels, zero and negative numbers where the API allows them, timestamps with offsets, nanoseconds or no
    time, a service account with no `email` (its name carries it), firewall rules with other spellings, and
    resources in projects and an organisation outside the scan."""
    estate = _demo()
    project, ancestors = "payments-prod", ["projects/330000000001", "folders/310000000001", f"organizations/{DEMO_ORG}"]

    def add(name: str, asset_type: str, data: dict[str, Any], location: str = "global", **extra: Any) -> None:
        resource = {"version": "v1", "location": location, "data": data}
        estate["assets"].append({"name": name, "assetType": asset_type, "ancestors": ancestors, "resource": resource, **extra})

    add(
        f"//compute.googleapis.com/projects/{project}/zones/europe-west2-b/instances/{LONG}",
        "compute.googleapis.com/Instance",
        {
            "name": LONG,
            "status": "Running",
            "machineType": "zones/europe-west2-b/machineTypes/custom-2-4096",
            "creationTimestamp": "2026-06-01T09:00:00.123456789-07:00",
            "labels": {"cóst-centre": LONG, "env": ""},
            "scheduling": {"preemptible": False, "provisioningModel": "standard"},
            "metadata": {"items": []},
        },
        location="EUROPE-WEST2-B",
    )
    add(
        f"//storage.googleapis.com/{LONG.lower()}",
        "storage.googleapis.com/Bucket",
        {"name": LONG.lower(), "versioning": {}, "retentionPolicy": {"retentionPeriod": "0"}, "labels": {}, "timeCreated": "2026-01-01"},
        location="eu",
    )
    add(
        f"//compute.googleapis.com/projects/{project}/global/firewalls/odd-ports",
        "compute.googleapis.com/Firewall",
        {"name": "odd-ports", "sourceRanges": ["0.0.0.0/0"], "allowed": [{"IPProtocol": "TCP", "ports": ["20-23", "3389"]}], "priority": 0},
    )
    add(
        f"//compute.googleapis.com/projects/{project}/zones/europe-west2-a/autoscalers/zero-as",
        "compute.googleapis.com/Autoscaler",
        {
            "name": "zero-as",
            "target": f"projects/{project}/zones/europe-west2-a/instanceGroupManagers/zero",
            "autoscalingPolicy": {"minNumReplicas": 0, "maxNumReplicas": "5", "mode": "ONLY_SCALE_OUT", "coolDownPeriodSec": 0},
        },
        location="europe-west2-a",
    )
    email = f"nømail@{project}.iam.gserviceaccount.com"
    add(
        f"//iam.googleapis.com/projects/{project}/serviceAccounts/4242",
        "iam.googleapis.com/ServiceAccount",
        {"name": f"projects/{project}/serviceAccounts/{email}"},
    )
    add(
        f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}/keys/k0",
        "iam.googleapis.com/ServiceAccountKey",
        {
            "name": f"projects/{project}/serviceAccounts/{email}/keys/k0",
            "keyType": "USER_MANAGED",
            "validAfterTime": "2025-01-01T00:00:00+01:00",
        },
    )
    # outside the scan: another organisation's project, a project with no organisation, and one in this organisation
    # that Resource Manager does not list (deleted, or hidden from the scanner)
    for outside in (["projects/999", "organizations/999"], ["projects/998"], ["projects/997", f"organizations/{DEMO_ORG}"]):
        estate["assets"].append(
            {
                "name": f"//compute.googleapis.com/{outside[0]}/zones/europe-west2-a/instances/stray",
                "assetType": "compute.googleapis.com/Instance",
                "ancestors": outside,
                "resource": {"version": "v1", "location": "europe-west2-a", "data": {"name": "stray", "status": "RUNNING"}},
            }
        )
    for entry in estate["log_entries"][::2]:
        entry["timestamp"] = entry["timestamp"].replace("Z", ".000000001+00:00")
    return estate


def empty_estate() -> dict[str, Any]:
    """An organisation with no folders, no projects and nothing in it."""
    org = f"organizations/{DEMO_ORG}"
    return {
        "provider": "gcp",
        "assets": [
            {
                "name": f"//cloudresourcemanager.googleapis.com/{org}",
                "assetType": "cloudresourcemanager.googleapis.com/Organization",
                "ancestors": [org],
            }
        ],
    }


# --- scanning them ----------------------------------------------------------------------------


def scan_and_score(gcp, estate: dict[str, Any] | Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Coverage]:
    """`cmm-scan scan gcp` then `cmm-scan score` on its snapshot; both exit 0, the snapshot is valid, no collector
    ends in an internal error and the emulator answered every request. The coverage records."""
    gcp.load(estate)
    out = tmp_path / "scan"
    assert main(["scan", "gcp", "--organization", DEMO_ORG, "--output-dir", str(out), "--format", "json", "-q"]) == 0
    snapshot = out / "snapshot.jsonl.gz"
    records = list(read_records(snapshot))  # every record validates against its model
    assert isinstance(records[0], SnapshotHeader) and records[0].provider == "gcp"
    coverage = [r for r in records if isinstance(r, Coverage)]
    assert coverage and all(isinstance(r, Fact | Coverage) for r in records[1:])
    internal = [c for c in coverage if c.reason.startswith("internal error")]
    assert not internal, internal
    assert {c.status for c in coverage} <= FINISHED
    assert all(c.reason for c in coverage if c.status != "ok"), "every collector not ok says why"
    # nothing is refused or broken by the estate's shape: only an estate without a directory denies its readers
    assert {(c.collector.split("/")[0], c.status) for c in coverage if c.status != "ok"} <= {(d, "denied") for d in DIRECTORY}
    assert main(["score", str(snapshot), "--output-dir", str(tmp_path / "score"), "--format", "json", "-q"]) == 0
    assert len(json.loads((tmp_path / "score" / "assessment.json").read_text())["results"]) > 40
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    emulator_errors = [e for e in gcp.requests if e["status"] >= 500 or e["status"] == 400]
    assert not emulator_errors, emulator_errors[:3]
    return coverage


def test_the_sparse_estate_holds_every_kind_the_adapter_reads() -> None:
    estate = sparse_estate()
    held = {a["assetType"] for a in estate["assets"]}
    assert _drawn_asset_types() <= held, _drawn_asset_types() - held
    # and an answer for every per-service read (paths with the organisation, a project, a pipeline filled in)
    paths = {r.path for spec in catalogue().collectors.values() for r in [spec.source, *spec.requests, *spec.calls] if r is not None}
    paths |= {lookup.source.path for lookup in catalogue().lookups.values() if lookup.source is not None}
    paths |= {c.path for lookup in catalogue().lookups.values() for c in lookup.calls}
    served = [p for p in paths if "assets" not in p and "searchAll" not in p and "entries:list" not in p]
    for path in served:
        last = path.rstrip("/").rsplit("/", 1)[-1]
        assert any(rest.endswith(last) for rest in estate["rest"]), path


def test_sparse_estate(gcp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan_and_score(gcp, sparse_estate(), tmp_path, capsys)


@pytest.mark.parametrize("turn", [0, 1, 2])
def test_nulls_and_empty_values(gcp, tmp_path: Path, capsys: pytest.CaptureFixture[str], turn: int) -> None:
    scan_and_score(gcp, thinned_estate(turn), tmp_path, capsys)


def test_odd_but_valid_values(gcp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan_and_score(gcp, odd_estate(), tmp_path, capsys)
    gcp.load(odd_estate())
    result = scan(["compute.instance", "identity.user", "network.security_group"], organization=DEMO_ORG)
    assert {f.scope for f in result.facts} <= {"payments-prod", "payments-dev", "platform-logging", f"organizations/{DEMO_ORG}"}
    assert not [f for f in result.of("compute.instance") if "stray" in f.resource_id], "resources outside the scan are left out"
    long = result.one("compute.instance", LONG)
    assert long["state"] == "running" and long["age_days"] is not None and long["instance_type"] == "custom-2-4096"
    assert result.one("network.security_group", "odd-ports")["admin_ports_open"] is True
    assert result.one("identity.user", "4242")["active_keys"] == 1


def test_an_empty_organisation(gcp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No folders and no projects: the organisation itself is scanned (its policies and IAM), and nothing fails."""
    coverage = scan_and_score(gcp, empty_estate(), tmp_path, capsys)
    assert {c.scope for c in coverage} == {f"organizations/{DEMO_ORG}"}


def test_yaml_timestamps_written_unquoted(gcp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`createTime: 2025-01-10T00:00:00Z` without quotes is a YAML timestamp: the emulator serves it as the RFC 3339
    text Google writes (it dropped every connection that carried one)."""
    text = DEMO.read_text(encoding="utf-8")
    unquoted = text.replace("'2025-01-10T00:00:00Z'", "2025-01-10T00:00:00Z").replace("'2026-11-20T09:00:00Z'", "2026-11-20T09:00:00Z")
    assert unquoted != text
    (tmp_path / "estate.yaml").write_text(unquoted, encoding="utf-8")
    scan_and_score(gcp, tmp_path / "estate.yaml", tmp_path, capsys)
    gcp.load(tmp_path / "estate.yaml")
    result = scan(["compute.instance"], organization=DEMO_ORG)
    assert result.of("compute.instance") and all(f.attributes["age_days"] is not None for f in result.of("compute.instance"))


# --- one regression test per crash found ------------------------------------------------------


def test_join_with_a_missing_part_is_null() -> None:
    """cloud/jmes.py: JMESPath's join raised on a null part (a subnetwork without `network`, a customer without
    `id`, an org policy without `constraint`), failing the collector in every scope; now the key is null."""
    assert search("join('|', [a, b])", {"a": "p", "b": "n"}) == "p|n"
    assert search("join('|', [a, b])", {"a": "p"}) is None
    with pytest.raises(Exception, match="join"):
        search("join('|', [a, `1`])", {"a": "p"})  # a number is still a spec bug, not silently joined


def test_org_policy_without_a_constraint(gcp) -> None:
    """An org policy naming no constraint keeps its fact, with what it restricts unknown and an id of its own."""
    estate = estates.org_estate(1)
    estate["assets"] = [
        {
            "name": "//cloudresourcemanager.googleapis.com/organizations/100",
            "assetType": "cloudresourcemanager.googleapis.com/Organization",
            "orgPolicy": [
                {"booleanPolicy": {"enforced": True}},
                {"constraint": "constraints/gcp.resourceLocations", "listPolicy": {"allValues": "DENY"}},
            ],
        }
    ]
    gcp.load(estate)
    result = scan(["org.policy"], organization="100")
    assert result.status("orgpolicy.constraints") == {"ok"}
    unnamed = [f for f in result.of("org.policy") if f.resource_id.startswith("unidentified:")]
    assert len(unnamed) == 1 and unnamed[0].attributes["restricts_regions"] is None and unnamed[0].attributes["denies_actions"] is None
    assert result.one("org.policy", "gcp.resourceLocations")["restricts_regions"] is True


def test_service_account_without_email_finds_its_keys_by_its_name(gcp) -> None:
    """A service account asset without `email`: its keys (named by the email) are found through its name, so its
    active key is counted rather than read as none."""
    email = "ci@app-1.iam.gserviceaccount.com"
    estate = estates.org_estate(1)
    estate["assets"] = [
        estates.asset(
            f"//iam.googleapis.com/projects/app-1/serviceAccounts/{email}",
            "iam.googleapis.com/ServiceAccount",
            {"name": f"projects/app-1/serviceAccounts/{email}"},
        ),
        estates.asset(
            f"//iam.googleapis.com/projects/app-1/serviceAccounts/{email}/keys/k1",
            "iam.googleapis.com/ServiceAccountKey",
            {"name": f"projects/app-1/serviceAccounts/{email}/keys/k1", "keyType": "USER_MANAGED"},
        ),
    ]
    gcp.load(estate)
    result = scan(["identity.user"], organization="100")
    assert result.status("iam.service_account_keys") == {"ok"}
    assert result.one("identity.user", email)["active_keys"] == 1


def test_network_without_its_name_in_data_meets_its_subnetworks(gcp) -> None:
    estate = estates.org_estate(1)
    link = "https://www.googleapis.com/compute/v1/projects/app-1/global/networks/core"
    estate["assets"] = [
        estates.asset("//compute.googleapis.com/projects/app-1/global/networks/core", "compute.googleapis.com/Network", {}),
        estates.asset(
            "//compute.googleapis.com/projects/app-1/regions/europe-west2/subnetworks/a",
            "compute.googleapis.com/Subnetwork",
            {"name": "a", "network": link, "logConfig": {"enable": True}},
            location="europe-west2",
        ),
        estates.asset(
            "//compute.googleapis.com/projects/app-1/regions/europe-west2/subnetworks/b", "compute.googleapis.com/Subnetwork", {"name": "b"}
        ),
    ]
    gcp.load(estate)
    result = scan(["network.vpc"], organization="100")
    assert result.status("compute.networks") == {"ok"}
    core = result.one("network.vpc", "networks/core")
    assert core["flow_logs"] is True and core["is_default"] is False  # subnetwork b names no network: not counted


def test_deploy_stage_with_a_null_strategy(gcp) -> None:
    """A Cloud Deploy stage whose strategy is null (unset: the standard strategy) is a rolling stage, not a crash."""
    estate = estates.org_estate(1)
    pipeline = "projects/app-1/locations/europe-west2/deliveryPipelines/p"
    estate["assets"] = [
        estates.asset(
            f"//clouddeploy.googleapis.com/{pipeline}",
            "clouddeploy.googleapis.com/DeliveryPipeline",
            {"name": pipeline, "serialPipeline": {"stages": [{"targetId": "prod", "strategy": None}]}},
            location="europe-west2",
        )
    ]
    gcp.load(estate)
    result = scan(["cicd.deployment_group"], organization="100")
    assert result.status("clouddeploy.stages") == {"ok"}
    stage = result.one("cicd.deployment_group", "stages/prod")
    assert stage["strategy"] == "rolling" and stage["manual_cutover"] is False


def test_autoscaler_counts_in_other_valid_forms() -> None:
    """minNumReplicas null or unset (1), maxNumReplicas as a string (proto3 JSON int): compared as numbers."""
    policy = {"minNumReplicas": None, "maxNumReplicas": "10", "cpuUtilization": {"utilizationTarget": 0.6}}
    summary = autoscaling_summary({"autoscalers": [{"data": {"autoscalingPolicy": policy}}]})
    assert summary is not None and summary["dynamic"] is True and (summary["min"], summary["max"]) == (1, 10)
    odd = {"maxNumReplicas": "many", "customMetricUtilizations": [None, {"metric": "custom.googleapis.com/q"}]}
    summary = autoscaling_summary({"autoscalers": [{"data": {"autoscalingPolicy": odd}}]})
    assert summary is not None and summary["dynamic"] is False and summary["metric_kinds"] == ["custom"]  # the null entry adds none


def test_firewall_rule_spellings() -> None:
    """direction null is INGRESS (the API's default); IPProtocol in capitals; an unreadable port leaves SSH/RDP
    unknown rather than closed."""
    rule = {"direction": None, "sourceRanges": ["0.0.0.0/0"], "allowed": [{"IPProtocol": "TCP", "ports": ["22"]}]}
    assert firewall_exposure(rule) == {"open": True, "admin": True}
    assert firewall_exposure({**rule, "allowed": [{"IPProtocol": "tcp", "ports": ["http"]}, "x"]}) == {"open": True, "admin": None}


def test_timestamps_without_an_offset_are_utc() -> None:
    """A date (2026-01-01) or a time without an offset compared with an aware `now` raised TypeError."""
    assert age_days("2020-01-01") is not None and age_days("2020-01-01T10:00:00") is not None


def test_project_without_project_id_is_scoped_by_its_number(gcp) -> None:
    org = "organizations/100"
    gcp.load(
        {
            "provider": "gcp",
            "assets": [
                {
                    "name": f"//cloudresourcemanager.googleapis.com/{org}",
                    "assetType": "cloudresourcemanager.googleapis.com/Organization",
                    "ancestors": [org],
                },
                {
                    "name": "//cloudresourcemanager.googleapis.com/projects/42",
                    "assetType": "cloudresourcemanager.googleapis.com/Project",
                    "ancestors": ["projects/42", org],
                    "resource": {"version": "v3", "data": {}},
                },
                estates.asset(
                    "//compute.googleapis.com/projects/42/zones/europe-west2-a/instances/vm",
                    "compute.googleapis.com/Instance",
                    {"name": "vm", "status": "RUNNING"},
                    ancestors=["projects/42", org],
                ),
            ],
        }
    )
    result = scan(["compute.instance"], organization="100")
    assert [f.scope for f in result.of("compute.instance")] == ["42"]


def test_directory_without_a_customer_id(gcp) -> None:
    estate = copy.deepcopy(estates.org_estate(1))
    estate["rest"] = {
        "admin/directory/v1/customers/my_customer": {"kind": "admin#directory#customer"},
        "admin/directory/v1/users": {"users": []},
    }
    gcp.load(estate)
    result = scan(["identity.sso_instance"], organization="100")
    assert result.status("cloudidentity.directory") == {"ok"}
    assert [f.resource_id for f in result.of("identity.sso_instance")] == ["customers/my_customer"]


def test_cli_emulates_and_scans_the_sparse_estate(tmp_path: Path) -> None:
    """`cmm-scan emulate gcp --estate FILE` in one process, `cmm-scan scan gcp` in another with nothing but the
    settings it printed: both without a traceback, the scan exiting 0, the emulator stopping cleanly."""
    import signal

    from tests.gcp.test_end_to_end import _cli, _env, emulate

    estate_file = tmp_path / "sparse.yaml"
    estate_file.write_text(yaml.safe_dump(sparse_estate(), allow_unicode=True), encoding="utf-8")
    server = emulate(estate_file)
    try:
        settings = printed_settings(server, 2)
        out = tmp_path / "out"
        done = _cli(["scan", "gcp", "--output-dir", str(out), "--format", "json"], _env(settings))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        coverage = [r for r in read_records(out / "snapshot.jsonl.gz") if isinstance(r, Coverage)]
        assert coverage and not [c for c in coverage if c.reason.startswith("internal error")]
        assert json.loads((out / "assessment.json").read_text())["results"]
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert server.returncode == 0 and "Traceback" not in err, err


@pytest.mark.parametrize(
    ("mode", "source", "mfa"), [(None, None, None), ("SSO_MODE_UNSPECIFIED", None, None), ("SSO_OFF", "internal", True)]
)
def test_sso_assignment_without_a_mode(gcp, mode: str | None, source: str | None, mfa: bool | None) -> None:
    """An SSO assignment whose ssoMode is absent or unspecified does not say where its people sign in: where
    identities come from and whether the directory's 2-Step Verification covers them are unknown (they read as an
    external identity provider before), not a known answer either way."""
    estate = estates.org_estate(1)
    assignment = {"name": "inboundSsoAssignments/a1", "targetOrgUnit": "orgUnits/root"} | ({"ssoMode": mode} if mode else {})
    estate["rest"] = {
        "admin/directory/v1/customers/my_customer": {"id": "C1"},
        "admin/directory/v1/users": {"users": [{"primaryEmail": "ada@example.org", "isEnforcedIn2Sv": True}]},
        "v1/inboundSsoAssignments": {"inboundSsoAssignments": [assignment]},
    }
    gcp.load(estate)
    result = scan(["identity.sso_instance"], organization="100")
    directory = result.one("identity.sso_instance", "customers/C1")
    assert (directory["identity_source"], directory["mfa_enforced"]) == (source, mfa)


def test_log_entries_with_offsets_are_windowed_by_their_instant(gcp) -> None:
    """Cloud Logging timestamps with an offset or nanoseconds are compared as instants: 00:30+01:00 is 23:30Z, before
    a 23:45Z window start (compared as text it fell inside), and the newest comes first."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    log = "projects/app-1/logs/cloudaudit.googleapis.com%2Factivity"
    estate = estates.org_estate(1)
    estate["log_entries"] = [
        {"logName": log, "insertId": "early", "timestamp": "2026-12-02T00:30:00+01:00"},
        {"logName": log, "insertId": "late", "timestamp": "2026-12-01T23:50:00.123456789Z"},
        {"logName": log, "insertId": "later", "timestamp": "2026-12-01T23:55:00-00:30"},
        {"logName": log, "insertId": "undated"},
    ]
    gcp.load(estate)
    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    body = {"resourceNames": ["projects/app-1"], "filter": 'timestamp>="2026-12-01T23:45:00Z"'}
    answer = AuthorizedSession(credentials).post(f"{gcp.url}/v2/entries:list", json=body)
    assert answer.status_code == 200, answer.text
    assert [e["insertId"] for e in answer.json()["entries"]] == ["later", "late"]
