"""IAM Identity Center: instances, their identity store's size, permission sets and session lengths."""

from __future__ import annotations

from collections.abc import Iterator

from cmm_scan.aws.executor import FactOut, RegionRun
from cmm_scan.aws.spec import Collector
from cmm_scan.cloud.transforms import iso_duration_hours


def instances(run: RegionRun, spec: Collector) -> Iterator[FactOut]:
    for instance in run.items("sso-admin", "list_instances", {}, "Instances"):
        store, arn = instance["IdentityStoreId"], instance["InstanceArn"]
        users = run.items("identitystore", "list_users", {"IdentityStoreId": store}, "Users")
        groups = run.items("identitystore", "list_groups", {"IdentityStoreId": store}, "Groups")
        sets = run.items("sso-admin", "list_permission_sets", {"InstanceArn": arn}, "PermissionSets")
        hours = [
            iso_duration_hours(
                run.call("sso-admin", "describe_permission_set", {"InstanceArn": arn, "PermissionSetArn": p})["PermissionSet"].get(
                    "SessionDuration", "PT1H"
                )
            )
            for p in sets
        ]
        yield FactOut(
            resource_id=arn,
            attributes={
                # no API names the identity source; SCIM-provisioned users carry ExternalIds
                "identity_source": ("external_idp" if any(u.get("ExternalIds") for u in users) else "internal") if users else None,
                "users": len(users),
                "provisioned_users": sum(1 for u in users if u.get("ExternalIds")),
                "groups": len(groups),
                "permission_sets": len(sets),
                "max_session_hours": max((h for h in hours if h is not None), default=None),
            },
        )
