"""The AWS adapter (contract in cmm_scan.collect): plan the scan, run the collector specs, print the policy."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3

from cmm_scan.aws import credentials
from cmm_scan.aws.errors import classify
from cmm_scan.aws.executor import AWS_ERRORS, RegionRun, Scope
from cmm_scan.aws.options import Options
from cmm_scan.aws.permissions import selected
from cmm_scan.aws.spec import Catalogue, Collector, catalogue
from cmm_scan.cancel import run_all
from cmm_scan.cloud.memo import Memo
from cmm_scan.collect import ScanPlan, Sink
from cmm_scan.models import Coverage, Fact, ScopeInfo


@dataclass
class State:
    options: Options
    session: boto3.Session
    accounts: list[credentials.Account]
    partition: str
    regions: list[str]
    scanned_somewhere: frozenset[str] = frozenset()  # every account of the scan, in this shard or another


def plan(options: Options, fact_types: list[str]) -> ScanPlan:
    credentials.check_regions(options)
    session, own_account, partition = credentials.base_session(options)
    accounts, everyone = credentials.accounts(options, session, own_account, partition)
    regions = credentials.regions(options, session)
    organization = credentials.organization_id(options, session)
    return ScanPlan(
        scopes=([ScopeInfo(id=organization, kind="organization")] if organization else [])
        + [ScopeInfo(id=a.id, kind="account", name=a.name) for a in accounts],
        regions=regions,
        state=State(options, session, accounts, partition, regions, frozenset(a.id for a in everyone)),
    )


def permissions(fact_types: list[str]) -> str:
    from cmm_scan.aws.permissions import permissions as grant

    return grant(fact_types)


def _kept(cat: Catalogue) -> frozenset[str]:
    return frozenset(lookup.collector for lookup in cat.lookups.values() if lookup.collector)


class _Account:
    """Resolves one account's clients once (assume-role), shared by its tasks."""

    def __init__(self, state: State, account: credentials.Account, cat: Catalogue, sink: Sink):
        self.state, self.account, self.cat, self.sink = state, account, cat, sink
        self._lock = threading.Lock()
        self._scope: Scope | None = None
        self._failure: tuple[str, str] | None = None

    def scope(self) -> Scope | tuple[str, str]:
        with self._lock:
            if self._scope is None and self._failure is None:
                try:
                    clients = credentials.account_clients(self.state.session, self.account, self.state.options.endpoint_url)
                    self._scope = Scope(
                        account=self.account.id,
                        clients=clients,
                        regions=self.state.regions,
                        catalogue=self.cat,
                        memo=Memo(),
                        emit=self.sink,
                        known_accounts=self.state.scanned_somewhere,
                        partition=self.state.partition,
                        keep=_kept(self.cat),
                    )
                except AWS_ERRORS as exc:
                    status, reason = classify(exc)
                    self._failure = (status, f"cannot assume {self.account.role_arn}: {reason}")
            return self._scope or self._failure  # type: ignore[return-value]


def run(plan: ScanPlan, fact_types: list[str], sink: Sink, progress: Any) -> None:
    state: State = plan.state
    cat = catalogue()
    chosen = selected(fact_types, cat)
    lock = threading.Lock()

    def safe_sink(record: Fact | Coverage) -> None:
        with lock:
            sink(record)

    accounts = [_Account(state, a, cat, safe_sink) for a in state.accounts]
    tasks = [(acct, spec, region) for acct in accounts for spec in chosen for region in _regions(spec, plan.regions)]
    progress.total = len(tasks)

    def task(item: tuple[_Account, Collector, str]) -> None:
        account, spec, region = item
        try:
            scope = account.scope()
            if isinstance(scope, tuple):
                status, reason = scope
                safe_sink(_coverage(spec, account.account.id, region, status, reason))
                return
            RegionRun(scope, region).scope_collector(spec.id)
        except Exception as exc:  # a bug in one collector must not stop the others; it is reported, not hidden
            safe_sink(_coverage(spec, account.account.id, region, "error", f"internal error: {type(exc).__name__}: {exc}"))
        finally:
            with lock:
                progress.advance(1, f"{account.account.id} {region} {spec.id}")

    first = [t for t in tasks if not t[1].after_all]
    last = [t for t in tasks if t[1].after_all]
    run_all(task, first, state.options.workers, "cmm-aws")
    run_all(task, last, state.options.workers, "cmm-aws")


def _regions(spec: Collector, regions: list[str]) -> list[str]:
    return ["global"] if spec.region == "global" else regions


def _coverage(spec: Collector, account: str, region: str, status: str, reason: str) -> Coverage:
    return Coverage(
        collector=spec.id,
        provider="aws",
        scope=account,
        region=region,
        status=status,  # type: ignore[arg-type]
        fact_types=[spec.fact],
        enriches=spec.enriches,
        facet=spec.facet,
        reason=reason,
    )
