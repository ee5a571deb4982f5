"""Estates nobody here wrote: the OCI adapter must not crash on data shaped differently from our fixtures.

Each estate is written in the emulator's documented format (docs/emulator.md) and scanned once through the real CLI
(`cmm-scan collect oci`, then `cmm-scan score`), real SDK signing and HTTP: (a) sparse — every kind the adapter reads
with only the fields the docs call required (OCIDs, the parent compartment, names); (b) odd but valid — optional
fields null (top level, or every value inside too), empty lists, objects and strings, zeros, mixed-case enums, long
unicode names, other RFC 3339 forms, resources in compartments and regions the scan does not cover; (c) an empty
tenancy, and an estate of nothing but `provider: oci`. A collector may end ok, denied, not_enabled or error with a
clear reason, never `internal error` (a bug that turns its evidence unknown everywhere). Below, one regression test
per crash or misreading these estates found.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmm_scan.cli import main
from cmm_scan.emulate.oci import OciEstate
from cmm_scan.oci.permissions import catalogue
from cmm_scan.oci.transport import services
from tests.oci.server import TENANCY, serve
from tests.support.emulators import printed_settings

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "oci-demo.yaml"
# what the emulator docs call required for an OCI object (an OCID, its parent compartment, a name where the API gets
# the object by name), and the SCIM keys an identity domain resource cannot lack
REQUIRED = frozenset({"id", "compartmentId", "name", "ocid", "userName", "schemas"})
# keys that hold a list of objects inside an exact-path answer (a *Collection, a SCIM ListResponse)
LISTS = frozenset({"items", "Resources"})
SETTLED = {"ok", "denied", "not_enabled", "error"}
# what the adapter reads that is no list of the estate's objects: the compartment tree, Search (derived from every
# object), per-tenancy settings (exact-path objects) and the identity domains' SCIM lists (derived from the users)
SERVED = frozenset(
    {
        "20160918/compartments",
        "20180409/resources",
        "20180409/resourceTypes",
        "20190901/configuration",
        "20200131/configuration",
        "20181201/configuration",
        "20200131/targets",
    }
)


@cache
def _demo() -> dict[str, Any]:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@cache
def _ocid_types() -> dict[str, str]:
    """Search resource type → the OCID type the emulator derives it from."""
    text = package_files.files("cmm_scan.emulate").joinpath("data/oci-search-types.yaml").read_text(encoding="utf-8")
    return {kind: ocid for ocid, kind in yaml.safe_load(text).items()}


def listed_paths() -> dict[str, str | None]:
    """Every list path (with its API version) the adapter reads in a compartment or the tenancy → the Search kind
    that guides it (None: listed everywhere). Sub-lists of one item ({id} in the path) are left to the items."""
    found: dict[str, str | None] = {}
    cat = catalogue()
    for spec in [*cat.collectors.values(), *cat.lookups.values()]:
        source = getattr(spec, "source", None)
        if source is None or re.search(r"\{(?!namespace\})", source.path):
            continue
        guide = getattr(spec, "guide", None)
        path = (services()[source.api].version + source.path).strip("/")
        found[path] = getattr(guide, "kind", None) or found.get(path)
    return found


def _each_object(estate: dict[str, Any], change: Any) -> dict[str, Any]:
    """The estate with `change(object)` applied to every listed object and every exact-path answer."""
    estate = copy.deepcopy(estate)
    for table in [estate.get("resources", {}), *estate.get("regional", {}).values()]:
        for path, items in table.items():
            table[path] = [change(item) for item in items]
    for table in [estate.get("objects", {}), *estate.get("regional_objects", {}).values()]:
        for path, value in table.items():
            table[path] = [change(v) for v in value] if isinstance(value, list) else change(value)
    return estate


def _recurse(change: Any) -> Any:
    """A change to an object's own keys that also reaches the objects of its `items`/`Resources` lists."""

    def apply(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {k: ([apply(i) for i in v] if k in LISTS and isinstance(v, list) else change(k, v)) for k, v in value.items()}

    return apply


def sparse_estate() -> dict[str, Any]:
    """The demo tenancy cut to the required keys, plus one bare object in every list the adapter reads that the demo
    leaves empty (an NSG, a MySQL DB system, a container instance, an identity provider...)."""
    cut = _recurse(lambda k, v: v if k in REQUIRED else _DROP)
    estate = _each_object(_demo(), lambda value: _strip_dropped(cut(value)))
    app = next(c["id"] for c in estate["compartments"] if c["name"] != "shared")
    for n, (template, kind) in enumerate(sorted(listed_paths().items())):
        path = template.replace("{namespace}", "demo")
        table = estate["resources"] if path.startswith("20160918/") and _global(path) else estate["regional"]["uk-london-1"]
        if table.get(path) or path in SERVED or path.startswith("admin/"):
            continue
        ocid_type = _ocid_types().get(kind or "", None) or path.rsplit("/", 1)[1].rstrip("s").lower()
        item = {"id": f"ocid1.{ocid_type}.oc1..sparse{n}", "compartmentId": TENANCY if _global(path) else app}
        if path.startswith("n/"):
            item["name"] = f"sparse{n}"
        table.setdefault(path, []).append(item)
    estate["compartments"] = [{k: v for k, v in c.items() if k in REQUIRED} for c in estate["compartments"]]
    estate["regionSubscriptions"] = [{"regionName": r["regionName"], "regionKey": r["regionKey"]} for r in estate["regionSubscriptions"]]
    return estate


_DROP = object()


def _strip_dropped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_dropped(v) for k, v in value.items() if v is not _DROP}
    if isinstance(value, list):
        return [_strip_dropped(v) for v in value]
    return value


def _global(path: str) -> bool:
    """Identity lists are served in every region (`resources:`)."""
    return path.split("/")[1] in {"users", "groups", "policies", "dynamicGroups", "userGroupMemberships", "identityProviders", "domains"}


def nulls_estate() -> dict[str, Any]:
    """Every optional key answered null, as the API may for any field it does not set."""
    return _each_object(_demo(), _recurse(lambda k, v: v if k in REQUIRED else None))


def deep_nulls_estate() -> dict[str, Any]:
    """Every optional value inside an object null too (a policy's capacity, a rule's ports, a run's progress), the
    objects and lists that hold them kept."""

    def walk(key: str, value: Any) -> Any:
        if key in REQUIRED:
            return value
        if isinstance(value, dict):
            return {k: walk(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(key, v) if isinstance(v, dict | list) else v for v in value]
        return None

    return _each_object(_demo(), lambda obj: {k: walk(k, v) for k, v in obj.items()} if isinstance(obj, dict) else obj)


def empties_estate() -> dict[str, Any]:
    """Every optional list and object empty, every number zero, every string empty."""

    def empty(key: str, value: Any) -> Any:
        if key in REQUIRED:
            return value
        if isinstance(value, list):
            return []
        if isinstance(value, dict):
            return {}
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return 0
        if isinstance(value, str):
            return ""
        return value

    return _each_object(_demo(), _recurse(empty))


ENUM = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{3,}$")
TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z$")
# other forms of the same instant RFC 3339 allows (fractions of any length, an offset, lower-case separators)
TIME_FORMS = (r"\1T\2.123+00:00", r"\1T\2.123456789Z", r"\1t\2z", r"\1T\2+00:00")
LONG = "Ünïcödé ☁ " + "x" * 240  # a display name at OCI's 255-character limit


def odd_estate() -> dict[str, Any]:
    """Valid but unusual: enums in mixed case, long unicode display names, RFC 3339 times with fractions and offsets,
    resources in a deleted compartment, in a compartment the tree does not hold and in a region not yet READY."""

    seen = [0]

    def odd(key: str, value: Any) -> Any:
        if key in REQUIRED:
            return value
        if isinstance(value, dict):
            return {k: odd(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [odd(key, v) for v in value]
        if isinstance(value, str):
            if TIME.match(value):
                seen[0] += 1
                return TIME.sub(TIME_FORMS[seen[0] % len(TIME_FORMS)], value)
            if ENUM.match(value):
                return value[:1] + value[1:].lower()
            if key in ("displayName", "description"):
                return LONG
        return value

    estate = _each_object(_demo(), lambda obj: {k: odd(k, v) for k, v in obj.items()} if isinstance(obj, dict) else obj)
    gone = {"id": "ocid1.compartment.oc1..gone", "compartmentId": TENANCY, "name": "gone", "lifecycleState": "DELETED"}
    estate["compartments"].append(gone)
    estate["regionSubscriptions"].append({"regionName": "ap-sydney-1", "regionKey": "SYD", "status": "IN_PROGRESS"})
    london = estate["regional"]["uk-london-1"]
    for where in (gone["id"], "ocid1.compartment.oc1..elsewhere"):
        london["20160918/instances"].append(
            {"id": f"ocid1.instance.oc1..in{where[-4:]}", "compartmentId": where, "shape": "VM.Standard.E4.Flex"}
        )
    estate["regional"]["ap-sydney-1"] = {"20160918/instances": [{"id": "ocid1.instance.oc1..syd", "compartmentId": TENANCY}]}
    return estate


def empty_estate() -> dict[str, Any]:
    """A tenancy with one region and no resources, compartments or identity objects at all."""
    demo = _demo()
    return {
        "provider": "oci",
        "tenancy": demo["tenancy"],
        "regionSubscriptions": [{"regionName": "uk-london-1", "regionKey": "LHR", "status": "READY", "isHomeRegion": True}],
    }


ESTATES = {
    "sparse": sparse_estate,
    "nulls": nulls_estate,
    "deep_nulls": deep_nulls_estate,
    "empties": empties_estate,
    "odd": odd_estate,
    "empty": empty_estate,
    "bare": lambda: {"provider": "oci"},  # the least the docs allow: no tenancy, regions or objects at all
}
# the odd estate is scanned in part: one of its two regions, one compartment left out (its resources out of scope)
FLAGS = {"odd": ["--regions", "uk-london-1", "--compartments", "!ocid1.compartment.oc1..data"]}


def _records(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.mark.parametrize("name", sorted(ESTATES))
def test_an_estate_nobody_here_wrote_scans_without_internal_errors(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    estate = OciEstate.model_validate(ESTATES[name]())
    snapshot = tmp_path / "snapshot.jsonl.gz"
    with serve(estate) as running:
        for key, value in running.env.items():
            monkeypatch.setenv(key, value)
        code = main(["collect", "oci", "--output", str(snapshot), "-q", *FLAGS.get(name, [])])
        # the emulator answers its own bugs 400 "emulator error" (a 5xx would be retried): the scan sends no bad request
        failed = [r for r in running.requests if r["status"] >= 500 or r["status"] == 400]
    assert code == 0
    assert not failed, failed
    records = _records(snapshot)
    assert records[0]["record"] == "header" and records[0]["provider"] == "oci" and records[-1]["record"] == "end"
    coverage = [r for r in records if r["record"] == "coverage"]
    assert {c["collector"] for c in coverage} == set(catalogue().collectors)
    broken = [
        f"{c['collector']}: {c['reason']}"
        for c in coverage
        if c["status"] not in SETTLED or (c.get("reason") or "").startswith("internal error")
    ]
    assert not broken, "\n".join(broken)
    unexplained = [c["collector"] for c in coverage if c["status"] != "ok" and not c.get("reason")]
    assert not unexplained, unexplained
    assert main(["score", str(snapshot), "--output-dir", str(tmp_path / "out"), "--format", "json", "-q"]) == 0
    assessment = json.loads((tmp_path / "out" / "assessment.json").read_text(encoding="utf-8"))
    assert assessment["results"]


def test_the_sparse_estate_holds_every_kind_the_adapter_lists() -> None:
    """The sparse estate is worth scanning only if every list the adapter reads has an object in it."""
    estate = sparse_estate()
    held = set(estate["resources"]) | set(estate["regional"]["uk-london-1"])
    wanted = [p for p in listed_paths() if p not in SERVED and not p.startswith("admin/")]
    missing = [p for p in wanted if p.replace("{namespace}", "demo") not in held]
    assert not missing, missing
    for table in [estate["resources"], *estate["regional"].values()]:
        for items in table.values():
            assert all(set(item) <= REQUIRED for item in items)


# --- regressions: each crash the estates above found, on its own ----------------------------------------------------


def test_a_bucket_summary_without_its_namespace_is_read_in_the_namespace_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ListBuckets' summaries written with a name only: the bucket is the namespace's the list was read in (was an
    internal error, `join()` on a null namespace, for every region's buckets)."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    estate.single("/n/", "golden", region=None)
    data = estate.compartment("data")
    estate.add("/n/golden/b", {"id": "ocid1.bucket.oc1..logs", "name": "logs"}, compartment=data, search_type="Bucket")
    estate.single("/n/golden/b/logs", {"name": "logs", "versioning": "Enabled", "publicAccessType": "NoPublicAccess"})
    result = scan(estate, ["storage.bucket"], monkeypatch)
    assert result.status("objectstorage.buckets") == {"ok"}
    bucket = result.one("storage.bucket", "logs")
    assert [f.resource_id for f in result.of("storage.bucket")] == ["bucket/golden/logs"]
    assert bucket["versioning"] == "Enabled" and bucket["public_access_blocked"] is True
    assert not [r for r in result.log if "None" in r["path"]]


def test_an_item_without_the_field_its_follow_up_is_addressed_by_is_unknown_not_a_request_to_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listed bucket without a `name` cannot be got by name: its own settings are unknown (an error naming the
    missing field), the other bucket is read, and no request goes to `/b/None`."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    estate.single("/n/", "golden", region=None)
    data = estate.compartment("data")
    estate.add("/n/golden/b", {"id": "ocid1.bucket.oc1..nameless"}, compartment=data, search_type="Bucket")
    estate.add("/n/golden/b", {"id": "ocid1.bucket.oc1..logs", "name": "logs"}, compartment=data, search_type="Bucket")
    estate.single("/n/golden/b/logs", {"name": "logs", "versioning": "Enabled", "publicAccessType": "NoPublicAccess"})
    result = scan(estate, ["storage.bucket"], monkeypatch)
    assert result.status("objectstorage.buckets") == {"ok"}  # the list was read whole
    (step,) = [c for c in result.coverage if c.collector == "objectstorage.buckets/GetBucket"]
    assert step.status == "error" and step.reason.startswith("GetBucket: no value for name"), step.reason
    assert result.one("storage.bucket", "logs")["versioning"] == "Enabled"
    nameless = result.one("storage.bucket", "unidentified:")  # no name: an id from its content, never "None"
    assert nameless["versioning"] is None and nameless["public_access_blocked"] is None
    assert not [r for r in result.log if "None" in r["path"]]


def test_states_in_another_case_or_left_out_do_not_empty_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """An identity domain written `Active` (was: the domains lookup listed nothing, an error for identity.domains) and
    users with no lifecycleState or one in mixed case are read; an INACTIVE user is still left out."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    domain = estate.add(
        "/20160918/domains", {"id": "ocid1.domain.oc1..d", "url": "https://idcs-d.example", "lifecycleState": "Active"}, region=None
    )
    assert domain["compartmentId"] == TENANCY
    del estate.add("/20160918/users", {"id": "ocid1.user.oc1..stateless", "name": "ada"}, region=None)["lifecycleState"]
    estate.add("/20160918/users", {"id": "ocid1.user.oc1..mixed", "name": "grace", "lifecycleState": "Active"}, region=None)
    estate.add("/20160918/users", {"id": "ocid1.user.oc1..gone", "name": "old", "lifecycleState": "INACTIVE"}, region=None)
    result = scan(estate, ["identity.sso_instance", "identity.user"], monkeypatch)
    assert result.status("identity.domains") == {"ok"} and result.status("identity.users") == {"ok"}
    assert [f.resource_id for f in result.of("identity.sso_instance")] == ["ocid1.domain.oc1..d"]
    assert sorted(f.resource_id for f in result.of("identity.user")) == ["ocid1.user.oc1..mixed", "ocid1.user.oc1..stateless"]


def test_optional_fields_left_out_are_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """GetBucket without `versioning` or `publicAccessType` (optional in its model) leaves them unknown, never 'none'
    or 'public'; a log without `retentionDuration` leaves its group's retention unknown, never 0 days."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    estate.single("/n/", "golden", region=None)
    app = estate.compartment("app")
    estate.add("/n/golden/b", {"id": "ocid1.bucket.oc1..bare", "name": "bare", "namespace": "golden"}, compartment=app)
    estate.single("/n/golden/b/bare", {"name": "bare", "namespace": "golden"})
    estate.add("/20200531/logGroups", {"id": "ocid1.loggroup.oc1..app", "displayName": "app"}, compartment=app)
    estate.single("/20200531/logGroups/ocid1.loggroup.oc1..app/logs", [{"id": "l1", "retentionDuration": 90}, {"id": "l2"}])
    result = scan(estate, ["storage.bucket", "logging.log_group"], monkeypatch)
    bucket = result.one("storage.bucket", "bare")
    assert bucket["versioning"] is None and bucket["public_access_blocked"] is None
    assert bucket["replication"] is False  # replicationEnabled: "By default, replicationEnabled is set to false"
    assert result.one("logging.log_group", "loggroup.oc1..app")["retention_days"] is None


def test_a_time_without_an_offset_is_read_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """An instance created at a time written without an offset (was: an internal error, naive minus aware datetime,
    for every instance of the region) has its age; one in lower-case RFC 3339 too."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    app = estate.compartment("app")
    for name, created in (("naive", "2026-01-01T00:00:00.000"), ("lower", "2026-01-01t00:00:00z")):
        estate.add(
            "/20160918/instances",
            {"id": f"ocid1.instance.oc1..{name}", "shape": "VM.Standard.E4.Flex", "timeCreated": created},
            compartment=app,
            search_type="Instance",
        )
    result = scan(estate, ["compute.instance"], monkeypatch)
    assert result.status("core.instances") == {"ok"}
    ages = {f.resource_id: f.attributes["age_days"] for f in result.of("compute.instance")}
    assert ages["ocid1.instance.oc1..naive"] == ages["ocid1.instance.oc1..lower"] > 300


def test_cli_emulates_and_scans_a_sparse_estate_with_only_the_printed_settings(tmp_path: Path) -> None:
    """As an outside user runs it: `cmm-scan emulate oci --estate FILE` in one process, `cmm-scan scan oci` with only
    the printed exports in another. Both exit cleanly, no traceback on either's stderr, and the emulator's request log
    shows no request it failed to answer."""
    import os
    import subprocess
    import sys

    path = tmp_path / "sparse.yaml"
    path.write_text(yaml.safe_dump(sparse_estate(), allow_unicode=True), encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "CMM_SCAN_"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "cmm_scan.cli", "emulate", "oci", "--estate", str(path), "--request-log", str(log)],
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        settings = printed_settings(server, 2)
        out = tmp_path / "report"
        done = subprocess.run(
            [sys.executable, "-m", "cmm_scan.cli", "scan", "oci", "-o", str(out), "--format", "json", "--no-store"],
            env={**clean, **settings},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.terminate()
        _, emulator_errors = server.communicate(timeout=10)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert server.returncode == 0 and "Traceback" not in emulator_errors, emulator_errors
    answered = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert answered and not [r for r in answered if r["status"] >= 500 or r["status"] == 400]
    records = _records(out / "snapshot.jsonl.gz")
    assert not [r for r in records if r["record"] == "coverage" and (r.get("reason") or "").startswith("internal error")]
    assert json.loads((out / "assessment.json").read_text(encoding="utf-8"))["results"]


def test_an_estate_without_region_subscriptions_is_scanned_in_its_home_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tenancy subscribes its home region: an estate listing none is served uk-london-1 as its home (was: an
    empty ListRegionSubscriptions, so the scan read no region at all)."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    estate.data["regionSubscriptions"] = []
    estate.add("/20160918/instances", {"id": "ocid1.instance.oc1..web", "shape": "VM.Standard.E4.Flex"}, search_type="Instance")
    result = scan(estate, ["compute.instance"], monkeypatch)
    assert result.status("core.instances", "uk-london-1") == {"ok"}
    assert [f.resource_id for f in result.of("compute.instance")] == ["ocid1.instance.oc1..web"]


def test_a_zero_capacity_bound_is_a_bound_not_a_missing_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threshold policies on one pool, the second scaling in to 0: the pool's least size is 0 (was 2: a zero
    minimum was read as absent)."""
    from tests.oci.golden import CPU_POLICY, instance, pool
    from tests.oci.support import Estate, scan

    estate = Estate()
    app = estate.compartment("app")
    night = {**CPU_POLICY, "capacity": {"min": 0, "max": 4}}
    pool(estate, "web", app, [instance(estate, f"w{n}", app) for n in range(2)], [CPU_POLICY, night])
    result = scan(estate, ["compute.autoscaling_group"], monkeypatch)
    group = result.one("compute.autoscaling_group", "instancepool.oc1..web")
    assert (group["min_size"], group["max_size"], group["dynamic"]) == (0, 10, True)


def test_a_users_api_keys_written_as_a_collection_object_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's API keys written `{items: [...]}` (as the *Collection sub-lists are) rather than a bare list: the
    emulator's identity domain lists them (was: 400 "emulator error", so every user's keys read as refused); a user
    with a null lifecycleState is an active one."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    estate.add("/20160918/users", {"id": "ocid1.user.oc1..ci", "name": "ci-bot", "lifecycleState": None}, region=None)
    key = {"keyId": "ocid1.tenancy.oc1..golden/ocid1.user.oc1..ci/aa:bb", "lifecycleState": "ACTIVE", "timeCreated": "2026-01-01T00:00:00Z"}
    estate.single("/20160918/users/ocid1.user.oc1..ci/apiKeys", {"items": [key]}, region=None)
    result = scan(estate, ["identity.user"], monkeypatch)
    assert not [r for r in result.log if r["status"] == 400]
    assert result.status("identity.users") == {"ok"}
    assert result.one("identity.user", "user.oc1..ci")["active_keys"] == 1


def test_a_region_running_only_kubernetes_has_workloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search names OKE clusters `ClustersCluster`: a region holding one has workloads (was: the region handler looked
    for `ClusterCluster`, so a Kubernetes-only region read as holding none)."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    app = estate.compartment("app")
    estate.add("/20180222/clusters", {"id": "ocid1.cluster.oc1..apps", "name": "apps"}, compartment=app, search_type="ClustersCluster")
    result = scan(estate, ["inventory.region"], monkeypatch)
    region = result.one("inventory.region", "uk-london-1")
    assert region["workloads"] is True and region["in_use"] is True


def test_sign_on_rules_written_as_a_bare_list_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """`admin/v1/Rules` written as the list of Rules rather than the ListResponse: the emulator serves them (was: a
    400 "emulator error", so MFA enforcement read as refused)."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    rule = {"name": "Everyone", "active": True, "policyType": {"value": "SignOn"}}
    rule["return"] = [{"name": "effect", "value": "ALLOW"}, {"name": "mfaRequired", "value": "true"}]
    estate.single("/admin/v1/Rules", [rule], region=None)
    result = scan(estate, ["identity.sso_instance"], monkeypatch)
    assert not [r for r in result.log if r["status"] == 400]
    assert result.one("identity.sso_instance", "domain")["mfa_enforced"] is True


def test_an_alarm_without_its_namespace_does_not_stop_the_join_to_log_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """An alarm written without `namespace` (was: an internal error, `join()` on null in the alarms lookup's key, for
    every service connector of the region) matches nothing; the alarm on the connector's metric still matches."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    app = estate.compartment("app")
    for name, extra in (("bare", {}), ("errors", {"namespace": "app"})):
        alarm = {"id": f"ocid1.alarm.oc1..{name}", "query": "Errors[1m].sum() > 0", "destinations": ["ocid1.onstopic.oc1..t"], **extra}
        estate.add("/20180401/alarms", alarm, compartment=app, search_type="Alarm")
    connector = {
        "id": "ocid1.serviceconnector.oc1..c",
        "source": {"kind": "logging", "logSources": [{"logGroupId": "ocid1.loggroup.oc1..g"}]},
        "target": {"kind": "monitoring", "metricNamespace": "app", "metric": "Errors"},
    }
    estate.add("/20200909/serviceConnectors", connector, compartment=app, search_type="ServiceConnector")
    result = scan(estate, ["monitoring.metric_filter"], monkeypatch)
    assert result.status("sch.log_metrics") == {"ok"}
    assert result.one("monitoring.metric_filter", "serviceconnector.oc1..c")["alarmed"] is True


def test_an_open_rule_whose_port_range_has_no_bounds_leaves_admin_ports_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A security list open to the internet on a port range written with null bounds (was: an internal error, None
    compared with 22, for every security list of the region): open, admin ports unknown; one on 443 is still read."""
    from tests.oci.support import Estate, scan

    estate = Estate()
    app = estate.compartment("app")
    for name, ports in (("unbounded", {"min": None, "max": None}), ("web", {"min": 443, "max": 443})):
        rule = {"source": "0.0.0.0/0", "protocol": "6", "tcpOptions": {"destinationPortRange": ports}}
        estate.add(
            "/20160918/securityLists",
            {"id": f"ocid1.securitylist.oc1..{name}", "ingressSecurityRules": [rule]},
            compartment=app,
            search_type="SecurityList",
        )
    result = scan(estate, ["network.security_group"], monkeypatch)
    assert result.status("core.security_lists") == {"ok"}
    unbounded = result.one("network.security_group", "securitylist.oc1..unbounded")
    assert unbounded["open_to_internet"] is True and unbounded["admin_ports_open"] is None
    assert result.one("network.security_group", "securitylist.oc1..web")["admin_ports_open"] is False
