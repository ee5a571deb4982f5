"""Cloud SQL instances, persistent disks and Secret Manager secrets from the inventory."""

from __future__ import annotations

from tests.gcp import estates
from tests.gcp.support import scan


def test_databases_disks_and_secrets(gcp) -> None:
    estate = estates.org_estate()
    estate["assets"] = [
        estates.asset(
            "//cloudsql.googleapis.com/projects/app-1/instances/orders",
            "sqladmin.googleapis.com/Instance",
            {
                "name": "orders",
                "databaseVersion": "POSTGRES_15",
                "settings": {
                    "availabilityType": "REGIONAL",
                    "backupConfiguration": {"enabled": True, "backupRetentionSettings": {"retainedBackups": 30}},
                },
            },
            location="europe-west2",
        ),
        estates.asset(
            "//cloudsql.googleapis.com/projects/app-2/instances/scratch",
            "sqladmin.googleapis.com/Instance",
            {
                "name": "scratch",
                "databaseVersion": "MYSQL_8_0",
                "settings": {"availabilityType": "ZONAL", "backupConfiguration": {"enabled": False}},
            },
            location="europe-west2",
        ),
        estates.asset(
            "//compute.googleapis.com/projects/app-1/zones/europe-west2-a/disks/d1",
            "compute.googleapis.com/Disk",
            {"name": "d1", "type": "zones/europe-west2-a/diskTypes/pd-ssd", "users": ["zones/europe-west2-a/instances/web-1"]},
            location="europe-west2-a",
        ),
        estates.asset(
            "//secretmanager.googleapis.com/projects/1001/secrets/db-password",
            "secretmanager.googleapis.com/Secret",
            {"name": "projects/1001/secrets/db-password", "rotation": {"rotationPeriod": "2592000s"}, "replication": {"automatic": {}}},
        ),
    ]
    gcp.load(estate)
    result = scan(["compute.managed_database", "storage.volume", "secrets.secret"])
    orders, scratch = result.one("compute.managed_database", "/orders"), result.one("compute.managed_database", "/scratch")
    assert orders["multi_az"] is True and orders["backup_retention_days"] == 30 and orders["engine"] == "postgres_15"
    assert scratch["multi_az"] is False and scratch["backup_retention_days"] == 0
    assert result.one("storage.volume", "/d1") == {"encrypted": True, "attached": True, "volume_type": "pd-ssd"}
    secret = result.one("secrets.secret", "db-password")
    assert secret == {"rotation_enabled": True, "rotation_days": 30, "kms_customer_key": False}
