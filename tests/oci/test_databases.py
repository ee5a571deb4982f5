"""Managed databases: Autonomous Databases and MySQL HeatWave DB systems, read with the real signer from the emulator."""

from __future__ import annotations

import pytest

from tests.oci.support import Estate, scan


def _estate() -> Estate:
    estate = Estate()
    data = estate.compartment("data")
    estate.add(
        "/20160918/autonomousDatabases",
        {
            "id": "ocid1.autonomousdatabase.oc1..orders",
            "dbWorkload": "OLTP",
            "isDedicated": False,
            "isLocalDataGuardEnabled": True,
            "backupRetentionPeriodInDays": 30,
            "lifecycleState": "AVAILABLE",
        },
        compartment=data,
        search_type="AutonomousDatabase",
    )
    estate.add(
        "/20190415/dbSystems",
        {
            "id": "ocid1.mysqldbsystem.oc1..reports",
            "isHighlyAvailable": False,
            "backupPolicy": {"isEnabled": False, "retentionInDays": 7},
            "deletionPolicy": {"isDeleteProtected": True},
        },
        compartment=data,
        search_type="MysqlDbSystem",
    )
    return estate


def test_autonomous_and_mysql_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(_estate(), ["compute.managed_database"], monkeypatch)
    orders = result.one("compute.managed_database", "autonomousdatabase.oc1..orders")
    assert orders == {
        "engine": "autonomous_oltp",
        "serverless": True,
        "multi_az": True,
        "encrypted": True,
        "backup_retention_days": 30,
        "tags": {},
    }
    reports = result.one("compute.managed_database", "mysqldbsystem.oc1..reports")
    assert (reports["multi_az"], reports["backup_retention_days"], reports["deletion_protection"]) == (False, 0, True)
    assert {c.status for c in result.coverage} == {"ok"}


def test_a_refused_database_list_is_unknown_not_none(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = _estate()
    estate.deny_path("/20190415/dbSystems")
    result = scan(estate, ["compute.managed_database"], monkeypatch)
    assert [f.resource_id for f in result.of("compute.managed_database")] == ["ocid1.autonomousdatabase.oc1..orders"]
    assert result.status("mysql.db_systems") == {"denied"} and result.status("database.autonomous_databases") == {"ok"}
