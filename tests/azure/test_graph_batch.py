"""Microsoft Graph JSON batching: a scan sends the first page of every Graph read in one `$batch`; each
sub-response stands for its own request (its denial, throttling and next pages are that request's alone)."""

from __future__ import annotations

from typing import Any

from tests.azure.entra import require_mfa, tenant_graph, user
from tests.azure.support import DEV, PROD, SHARED, resource, scan, tenant_estate

DISK = "Microsoft.Compute/disks"
RESOURCE_GRAPH_PAGES = 8  # ResourceContainers once (plan and organisation share it), not twice
SMALL_ESTATE_REQUESTS = 23  # 2 plan lists, 8 Resource Graph pages, 1 Graph batch, 4 ARM reads x 3 subscriptions


def people(count: int = 3) -> dict[str, Any]:
    methods = {f"u{n}": ["microsoftAuthenticatorPush"] for n in range(count)}
    return tenant_graph([user(f"u{n}") for n in range(count)], [require_mfa()], methods=methods)


def graph_reads(azure: Any, batched: bool) -> list[dict[str, Any]]:
    return [r for r in azure.requests if r["operation"].startswith("graph/") and bool(r.get("batched")) == batched]


def test_a_denied_sub_request_leaves_only_its_collector_unknown(azure) -> None:
    estate = tenant_estate(graph=people())
    estate["faults"] = {"deny": [{"operation": "graph/identityGovernance/accessReviews/definitions"}]}
    azure.load(estate)
    result = scan(["identity.user", "identity.sso_instance", "security.service"])
    (denied,) = [c for c in result.coverage if c.collector == "azure.access_reviews"]
    assert denied.status == "denied"
    assert denied.reason.startswith("identityGovernance/accessReviews/definitions/list: Authorization_RequestDenied")
    assert result.status("azure.entra_users") == {"72f988bf-0000-0000-0000-000000000001": "ok"}
    assert {u.resource_id: u.attributes["mfa_active"] for u in result.of("identity.user")} == {"u0": True, "u1": True, "u2": True}
    assert [f for f in result.of("security.service") if f.resource_id == "entra-access-reviews"] == []
    # the denied read was asked for inside the batch and not again on its own
    inside = [r["operation"] for r in graph_reads(azure, batched=True)]
    assert "graph/identityGovernance/accessReviews/definitions" in inside and "graph/users" in inside
    assert [r["operation"] for r in graph_reads(azure, batched=False)] == ["graph/$batch"]


def test_a_throttled_sub_request_is_sent_again_and_nothing_is_lost(azure) -> None:
    estate = tenant_estate(graph=people())
    # seed 5: one of the two users reads is answered 429 (Retry-After 0) in the batch, 200 in the next batch
    estate["faults"] = {"seed": 5, "throttle": {"share": 0.5, "retry_after": 0, "operations": ["graph/users"]}}
    azure.load(estate)
    result = scan(["identity.user"])
    assert sorted(u.resource_id for u in result.of("identity.user")) == ["u0", "u1", "u2"]
    assert result.status("azure.entra_users") == {"72f988bf-0000-0000-0000-000000000001": "ok"}
    users = [r["status"] for r in graph_reads(azure, batched=True) if r["operation"] == "graph/users"]
    assert 429 in users and users[-1] == 200
    assert [r["operation"] for r in graph_reads(azure, batched=False)] == ["graph/$batch"] * 2  # the retry is a second batch


def test_a_sub_response_next_link_is_followed(azure) -> None:
    azure.load(tenant_estate(graph=people(5)))
    azure.page_size = 2  # five people: the batch answers the first two, two more pages follow
    result = scan(["identity.user"])
    assert sorted(u.resource_id for u in result.of("identity.user")) == ["u0", "u1", "u2", "u3", "u4"]
    assert all(u.attributes["mfa_kind"] is not None for u in result.of("identity.user"))  # registrations paged too
    alone = [r for r in graph_reads(azure, batched=False) if r["operation"] != "graph/$batch"]
    assert alone and all("$skiptoken" in r["query"] for r in alone)  # only next pages go on their own


def test_a_refused_batch_sends_every_read_alone_with_the_same_answers(azure) -> None:
    estate = tenant_estate(graph=people())
    estate["faults"] = {"deny": [{"operation": "graph/$batch"}]}
    azure.load(estate)
    result = scan(["identity.user"])
    assert {u.resource_id: u.attributes["mfa_active"] for u in result.of("identity.user")} == {"u0": True, "u1": True, "u2": True}
    assert result.status("azure.entra_users") == {"72f988bf-0000-0000-0000-000000000001": "ok"}
    assert graph_reads(azure, batched=True) == []
    alone = [r["operation"] for r in graph_reads(azure, batched=False)]
    assert alone[0] == "graph/$batch" and "graph/users" in alone and "graph/identity/conditionalAccess/policies" in alone


def test_a_small_estate_takes_a_known_number_of_requests(azure) -> None:
    """Every fact type of three subscriptions with disks and three people: the plan (tenants, subscriptions, the
    organisation's Resource Graph query, shared with its collector), one Graph batch, and the reads no bulk API holds."""
    azure.load(tenant_estate([resource(s, DISK, f"disk-{s[:2]}") for s in (PROD, DEV, SHARED)], graph=people()))
    from cmm_scan.factcatalogue import fact_catalogue

    scan(list(fact_catalogue().facts))
    sent = azure.http_requests()
    by_operation: dict[str, int] = {}
    for request in sent:
        by_operation[request["operation"]] = by_operation.get(request["operation"], 0) + 1
    assert by_operation.pop("graph/$batch") == 1
    assert not [op for op in by_operation if op.startswith("graph/")]  # every Graph read was in the batch
    assert by_operation["Microsoft.ResourceGraph/resources/read"] == RESOURCE_GRAPH_PAGES
    assert len(sent) == SMALL_ESTATE_REQUESTS, by_operation
