"""Memory: a scan parses only the operations the specs declare, keeps no whole service model, and names no IAM action."""

from __future__ import annotations

import pytest

from cmm_scan.aws import credentials, permissions
from cmm_scan.aws.clients import prune_model
from cmm_scan.aws.options import Options
from cmm_scan.aws.spec import catalogue
from tests.aws.support import scan


def test_scan_clients_know_only_the_declared_operations(aws) -> None:
    session, _, _ = credentials.base_session(Options())
    ec2 = session.client("ec2", region_name="eu-west-2")
    declared = {o for s, o in permissions.declared_calls(catalogue()) if s == "ec2"}
    assert hasattr(ec2, "describe_instances") and not hasattr(ec2, "run_instances")
    assert len(ec2.meta.service_model.operation_names) == len(declared)
    assert ec2.describe_regions()["Regions"]  # the plan's own call survives the cut
    loader = session._session.get_component("data_loader")
    cached = [str(k) for k in loader._cache if k[0] in ("load_service_model", "load_data_with_path")]
    whole = [k for k in cached if "ec2" in k and "service-2" in k]
    assert whole == []  # the ~14 MB whole model was dropped once cut down


def test_credential_services_load_whole(aws) -> None:
    # botocore's own credential providers call sts and sso operations no spec declares
    session, _, _ = credentials.base_session(Options())
    assert hasattr(session.client("sts"), "assume_role_with_web_identity")


def test_a_scan_names_no_iam_action(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Naming actions parses every service model in a botocore session of its own (~80 MB more)."""

    def refuse(service: str, operation: str) -> str:
        raise AssertionError(f"the scan named the IAM action of {service}.{operation}")

    monkeypatch.setattr(permissions, "api_name", refuse)
    monkeypatch.setattr(permissions, "_DECLARED", {})
    result = scan(["compute.subnet", "storage.bucket"])
    assert result.status("ec2.subnets") == {"ok"} and result.status("s3.buckets") == {"ok"}


def test_prune_model_keeps_the_shapes_an_operation_reaches() -> None:
    def ref(name: str) -> dict:
        return {"shape": name, "documentation": "<p>long</p>"}

    model = {
        "metadata": {"protocol": "json"},
        "documentation": "<p>the service</p>",
        "operations": {
            "ListThings": {"input": ref("ListIn"), "output": ref("ListOut"), "errors": [ref("Denied")], "documentation": "x"},
            "DeleteThing": {"name": "DeleteThing", "input": ref("DeleteIn")},
            "DescribeEndpoints": {"name": "DescribeEndpoints", "endpointoperation": True, "output": ref("Endpoints")},
        },
        "shapes": {
            "ListIn": {"type": "structure", "members": {"documentation": ref("String")}},  # a member may be called that
            "ListOut": {"type": "structure", "members": {"Things": ref("Things"), "Tags": ref("TagMap")}},
            "Things": {"type": "list", "member": ref("Thing")},
            "Thing": {"type": "structure", "members": {"Id": ref("String")}, "documentation": "x"},
            "TagMap": {"type": "map", "key": ref("Key"), "value": ref("String")},
            "Key": {"type": "string"},
            "String": {"type": "string"},
            "Denied": {"type": "structure", "members": {}, "exception": True},
            "DeleteIn": {"type": "structure", "members": {"Id": ref("Secret")}},
            "Secret": {"type": "string"},
            "Endpoints": {"type": "structure", "members": {}},
        },
    }
    pruned = prune_model(model, ["list_things"])
    assert set(pruned["operations"]) == {"ListThings", "DescribeEndpoints"}  # endpoint discovery is botocore's own call
    assert set(pruned["shapes"]) == {"ListIn", "ListOut", "Things", "Thing", "TagMap", "Key", "String", "Denied", "Endpoints"}
    assert "documentation" in pruned["shapes"]["ListIn"]["members"]
    assert "documentation" not in str({k: v for k, v in pruned.items() if k != "shapes"}) and "long" not in str(pruned)
    assert pruned["metadata"] == model["metadata"]


def test_page_size_bounds_one_response(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from cmm_scan.aws import clients

    ec2 = boto3.client("ec2", "eu-west-2")
    for _ in range(12):  # moto pages by reservation
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    monkeypatch.setattr(catalogue().collectors["ec2.instances"], "page_size", 5)
    calls: list[tuple[str, str]] = []
    clients.call_listeners.append(lambda service, operation: calls.append((service, operation)))
    try:
        result = scan(["compute.instance"])
    finally:
        clients.call_listeners.pop()
    assert calls.count(("ec2", "DescribeInstances")) == 3 and len(result.of("compute.instance")) == 12
