"""A tenancy with compartments nested three deep in two regions, one compartment denied: shared by the
end-to-end and scope tests."""

from __future__ import annotations

from tests.oci.support import FRANKFURT, LONDON, TENANCY, Estate

V = "/20160918"


def nested_tenancy(deny_secret: bool = True) -> Estate:
    """root ── prod ── app ── web (three deep)      root ── shared      root ── secret (denied)
    Instances in web (London, 2 ARM, pooled and autoscaled), app (Frankfurt), shared (London); a bucket each
    region; one instance in secret that the scanner must not claim to know about."""
    estate = Estate(regions=(LONDON, FRANKFURT), page_size=2)
    estate.compartment("prod")
    estate.compartment("app", "prod")
    web = estate.compartment("web", "app")
    app, shared = "ocid1.compartment.oc1..app", estate.compartment("shared")
    secret = estate.compartment("secret")
    if deny_secret:
        estate.deny("secret")
    estate.single("/n/", "golden", region=None)

    def instance(name: str, compartment: str, region: str, shape: str = "VM.Standard.A1.Flex") -> None:
        estate.add(
            f"{V}/instances",
            {
                "id": f"ocid1.instance.oc1..{name}",
                "displayName": name,
                "shape": shape,
                "lifecycleState": "RUNNING",
                "region": region,
                "freeformTags": {"owner": "team-a"},
            },
            compartment=compartment,
            region=region,
            search_type="Instance",
        )

    for n in range(3):
        instance(f"web{n}", web, LONDON)
    instance("batch", app, FRANKFURT, "VM.Standard.E4.Flex")
    instance("tools", shared, LONDON, "VM.Standard.E4.Flex")
    instance("hidden", secret, LONDON)
    estate.add(
        f"{V}/instancePools",
        {"id": "ocid1.instancepool.oc1..web", "displayName": "web", "size": 3, "lifecycleState": "RUNNING"},
        compartment=web,
        search_type="InstancePool",
    )
    estate.single(f"{V}/instancePools/ocid1.instancepool.oc1..web/instances", [{"id": f"ocid1.instance.oc1..web{n}"} for n in range(3)])
    estate.add(
        "/20181001/autoScalingConfigurations",
        {
            "id": "ocid1.autoscalingconfiguration.oc1..web",
            "isEnabled": True,
            "resource": {"type": "instancePool", "id": "ocid1.instancepool.oc1..web"},
            "policies": [
                {
                    "policyType": "threshold",
                    "capacity": {"min": 2, "max": 6},
                    "rules": [{"metric": {"metricSource": "CUSTOM_QUERY", "metricType": "CUSTOM", "query": "Orders[1m].rate() > 100"}}],
                }
            ],
        },
        compartment=web,
    )
    for region, name in ((LONDON, "lon-data"), (FRANKFURT, "fra-data")):
        summary = {"name": name, "namespace": "golden", "id": f"ocid1.bucket.oc1..{name}"}
        estate.add("/n/golden/b", summary, compartment=shared, region=region, search_type="Bucket")
        estate.single(f"/n/golden/b/{name}", {**summary, "publicAccessType": "NoPublicAccess", "versioning": "Enabled"}, region=region)
        estate.single(f"/n/golden/b/{name}/retentionRules", {"items": []}, region=region)
        estate.single(f"/n/golden/b/{name}/l", error=(404, "LifecyclePolicyNotFound"), region=region)
    return estate


__all__ = ["TENANCY", "nested_tenancy"]
