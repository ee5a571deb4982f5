"""EKS clusters: node groups and Fargate profiles sit two list levels below the cluster list."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector


def clusters(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    for name in run.items("eks", "list_clusters", {}, "clusters"):
        cluster = run.call("eks", "describe_cluster", {"name": name})["cluster"]
        groups = run.items("eks", "list_nodegroups", {"clusterName": name}, "nodegroups")
        scaling = [
            run.call("eks", "describe_nodegroup", {"clusterName": name, "nodegroupName": g})["nodegroup"].get("scalingConfig", {})
            for g in groups
        ]
        profiles = run.items("eks", "list_fargate_profiles", {"clusterName": name}, "fargateProfileNames")
        yield FactOut(
            resource_id=cluster["arn"],
            attributes={
                "version": cluster.get("version"),
                # no node group: nothing static to scale (Fargate or Karpenter), so not held against it
                "nodegroup_autoscaling": all(s.get("minSize", 0) < s.get("maxSize", 0) for s in scaling),
                "fargate_profiles": len(profiles),
                "tags": cluster.get("tags") or {},
            },
        )
