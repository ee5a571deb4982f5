"""Container registries: each repository's locks, read on the registry's data plane (token exchange, catalog,
repository attributes, tags), served by the emulator and scanned through azure-core; gov.build_artefacts scored
by the shipped rule. Level texts quoted from the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmm_scan.azure import adapter
from tests.azure.support import DEV, PROD, SHARED, resource, scan, tenant_estate
from tests.azure.test_golden import answer

REGISTRY = "Microsoft.ContainerRegistry/registries"
OPEN = {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True}
LOCKED = {**OPEN, "writeEnabled": False, "deleteEnabled": False}


def registry(sub: str, name: str, **properties: Any) -> dict[str, Any]:
    props = {"loginServer": f"{name}.azurecr.io", "policies": {"retentionPolicy": {"status": "enabled", "days": 30}}, **properties}
    return resource(sub, REGISTRY, name, group="build", properties=props)


def repo(name: str, locked: bool = False, tags: dict[str, bool] | None = None) -> dict[str, Any]:
    """A repository as GET /acr/v1/{name} returns it, with its tags (name -> locked) as _tags lists them."""
    return {
        "imageName": name,
        "createdTime": "2026-06-01T10:00:00Z",
        "lastUpdateTime": "2026-11-20T10:00:00Z",
        "changeableAttributes": LOCKED if locked else OPEN,
        "tags": [
            {
                "name": tag,
                "digest": f"sha256:{n:064x}",
                "createdTime": "2026-11-20T10:00:00Z",
                "lastUpdateTime": "2026-11-20T10:00:00Z",
                "signed": False,
                "changeableAttributes": LOCKED if tag_locked else OPEN,
            }
            for n, (tag, tag_locked) in enumerate((tags or {"1.0.0": False}).items(), 1)
        ],
    }


def estate(*resources: dict[str, Any], **registries: list[dict[str, Any]]) -> dict[str, Any]:
    return tenant_estate(list(resources), registries={f"{name}.azurecr.io": repos for name, repos in registries.items()})


def test_locks_are_read_per_repository_across_every_page(azure) -> None:
    """A locked repository, one whose every tag is locked, one with a writable tag and one without tags; pages of 2."""
    azure.load(
        estate(
            registry(SHARED, "platform"),
            platform=[
                repo("web", locked=True),
                repo("api", tags={"1.0.0": True, "1.1.0": True, "1.2.0": True}),
                repo("team/tools", tags={"latest": False, "2.0": True}),
                {**repo("empty"), "tags": []},
            ],
        )
    )
    azure.page_size = 2
    result = scan(["artifact.repository"])
    base = "/subscriptions/" + SHARED + "/resourceGroups/build/providers/Microsoft.ContainerRegistry/registries/platform/repositories/"
    found = {f.resource_id.removeprefix(base): f.attributes["tag_immutable"] for f in result.of("artifact.repository")}
    assert found == {"web": True, "api": True, "team/tools": False, "empty": False}
    assert result.one("artifact.repository", "/web") == {
        "tag_immutable": True,
        "scan_on_push": False,
        "lifecycle_policy": True,
        "kms_encrypted": False,
        "shared_pull": False,
    }
    assert set(result.status("azure.container_registries").values()) == {"ok"}
    acr = [e for e in azure.http_requests() if e["path"].startswith("/acr/")]
    # one exchange and one token for the registry; the catalog in 2 pages; 4 repositories; tags of the 3 writable
    # ones (api's 3 tags in 2 pages): 2 + 2 + 4 + 4 = 12
    assert len(acr) == 12, [e["path"] for e in acr]


def test_denied_or_firewalled_data_plane_leaves_locks_unknown_never_mutable(azure) -> None:
    """No data-plane role on one registry, public access disabled on another: each gives one fact of its own with
    tag_immutable unknown (its retention still read), and coverage says denied."""
    azure.load(
        estate(
            registry(PROD, "prodacr"),
            registry(DEV, "devacr"),
            registry(SHARED, "privacr", publicNetworkAccess="Disabled"),
            prodacr=[repo("web", locked=True)],
            devacr=[repo("sandbox")],
            privacr=[repo("secret")],
        )
    )
    azure.set_faults({"deny": [{"operation": "Microsoft.ContainerRegistry/registries/catalog/read", "scope": "*/registries/devacr"}]})
    result = scan(["artifact.repository"])
    assert result.one("artifact.repository", "prodacr/repositories/web")["tag_immutable"] is True
    assert result.one("artifact.repository", "registries/devacr") == {
        "tag_immutable": None,
        "scan_on_push": False,
        "lifecycle_policy": True,
        "kms_encrypted": False,
        "shared_pull": False,
    }
    assert result.one("artifact.repository", "registries/privacr")["tag_immutable"] is None
    refused = result.status("azure.container_registries/Microsoft.ContainerRegistry/registries/catalog/read")
    assert refused == {DEV: "denied", SHARED: "denied"}, refused


def test_a_registry_without_a_login_server_leaves_its_locks_unknown_and_the_others_read(azure) -> None:
    """Resource Manager gives one registry no login server: there is no data plane to ask, so that registry's own
    fact has tag_immutable unknown (an error in coverage for its subscription), and the other registry is read."""
    azure.load(
        estate(
            registry(PROD, "prodacr"),
            resource(DEV, REGISTRY, "oddacr", group="build", properties={"policies": {}}),
            prodacr=[repo("web", locked=True)],
        )
    )
    result = scan(["artifact.repository"])
    assert result.one("artifact.repository", "prodacr/repositories/web")["tag_immutable"] is True
    assert result.one("artifact.repository", "registries/oddacr")["tag_immutable"] is None
    failed = result.status("azure.container_registries/Microsoft.ContainerRegistry/registries/catalog/read")
    assert failed == {DEV: "error"}, failed


def test_every_repository_locked_leaves_level_5_possible(azure, tmp_path: Path) -> None:
    """Every repository refuses tag overwrites: level 5's condition ('All build artefacts are unchangeable, signed,
    and stored for audits. We can recreate any environment if needed.') holds and nothing rules it out; it does not
    settle the answer (signing and audit retention stay with a person)."""
    azure.load(
        estate(
            registry(PROD, "prodacr"),
            registry(SHARED, "sharedacr"),
            prodacr=[repo("web", locked=True), repo("api", tags={"1.0": True})],
            sharedacr=[repo("base", locked=True)],
        )
    )
    result = answer(tmp_path, "gov.build_artefacts")
    level5 = next(v for v in result.levels if v.level == 5)
    assert level5.verdict == "supported", (result.status, level5.verdict)
    immutable = next(e for e in result.evidence if e.signal == "immutable_repositories")
    assert immutable.complete and immutable.matching == 3 and immutable.total == 3


def test_overwritable_tags_rule_out_level_5(azure, tmp_path: Path) -> None:
    """Two of five repositories take tag overwrites (40%, under 90%): 'All build artefacts are unchangeable, signed,
    and stored for audits.' (level 5) is ruled out, so the answer is within levels 1-4."""
    azure.load(
        estate(
            registry(PROD, "prodacr"),
            registry(DEV, "devacr"),
            prodacr=[repo("web", locked=True), repo("api", tags={"1.0": True}), repo("worker", locked=True)],
            devacr=[repo("sandbox"), repo("scratch", tags={"latest": False, "1.0": True})],
        )
    )
    result = answer(tmp_path, "gov.build_artefacts")
    assert result.status == "range" and result.level_range == (1, 4), (result.status, result.level_range)
    assert 5 not in result.possible_levels


def test_denied_data_plane_never_rules_out_level_5(azure, tmp_path: Path) -> None:
    """The readable registry locks its two repositories; the other refuses its data plane. The share is 2 of 2
    read and one registry unread, so level 5 ('All build artefacts are unchangeable ...') is neither ruled out
    nor shown: unknown, never 'mutable'."""
    azure.load(
        estate(
            registry(PROD, "prodacr"),
            registry(DEV, "devacr"),
            prodacr=[repo("web", locked=True), repo("api", locked=True)],
            devacr=[repo("sandbox")],
        )
    )
    azure.set_faults({"deny": [{"operation": "Microsoft.ContainerRegistry/*", "scope": "*/registries/devacr"}]})
    result = answer(tmp_path, "gov.build_artefacts")
    level5 = next(v for v in result.levels if v.level == 5)
    assert level5.verdict == "possible"
    immutable = next(e for e in result.evidence if e.signal == "immutable_repositories")
    assert not immutable.complete and immutable.unknown == 1


def container_app(sub: str, name: str, *images: str) -> dict[str, Any]:
    containers = [{"name": f"c{n}", "image": image} for n, image in enumerate(images)]
    return resource(sub, "Microsoft.App/containerApps", name, group="apps", properties={"template": {"containers": containers}})


def test_images_run_in_other_subscriptions_show_one_store_for_several_environments(azure, tmp_path: Path) -> None:
    """The shared subscription's registry serves production's container apps and a web app (by tag and by digest):
    'We save artefacts, sometimes with version control, but there's no focus on making them secure or
    unchangeable.' (level 3) shows, and level 5 is ruled out by the sandbox's overwritable tags: at least 3."""
    azure.load(
        estate(
            registry(SHARED, "sharedacr"),
            container_app(PROD, "orders", "sharedacr.azurecr.io/orders-api:1.4.1", "mcr.microsoft.com/dotnet/runtime:8.0"),
            resource(
                PROD,
                "Microsoft.Web/sites",
                "site",
                group="web",
                kind="app,linux,container",
                properties={"siteConfig": {"linuxFxVersion": "DOCKER|sharedacr.azurecr.io/web@sha256:" + "a" * 64}},
            ),
            container_app(SHARED, "builder", "sharedacr.azurecr.io/tools:latest"),
            sharedacr=[repo("orders-api", locked=True), repo("web", locked=True), repo("tools"), repo("sandbox")],
        )
    )
    found = {f.resource_id.rsplit("/", 1)[-1]: f.attributes["shared_pull"] for f in scan(["artifact.repository"]).of("artifact.repository")}
    assert found == {"orders-api": True, "web": True, "tools": False, "sandbox": False}  # tools runs only where it is stored
    result = answer(tmp_path, "gov.build_artefacts")
    assert result.status == "floor" and result.floor_level == 3 and result.level_range == (3, 4), (result.status, result.level_range)


def test_data_actions_are_in_the_custom_role() -> None:
    role = adapter.grant(["artifact.repository"])["roleDefinition"]
    assert role["DataActions"] == [
        "Microsoft.ContainerRegistry/registries/catalog/read",
        "Microsoft.ContainerRegistry/registries/repositories/metadata/read",
    ]
    assert "Microsoft.ContainerRegistry/registries/catalog/read" not in role["Actions"]
