"""The history store: every assessment kept, per scope, for trends, diffs and CI gates.

    store = open_store("sqlite:///var/lib/cmm/history.db")   # or postgresql://user@host/db
    run = store.save_run(assessment, scope_key(assessment))

URLs: `sqlite:///absolute/path`, a plain file path (SQLite), `postgresql://...`. See docs/store.md.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from cmm_scan.errors import UserError
from cmm_scan.models import Assessment, ScopeInfo
from cmm_scan.store.base import QuestionRow, RunInfo, Store

__all__ = ["QuestionRow", "RunInfo", "Store", "default_url", "open_store", "scope_key"]

STORE_ENV = "CMM_SCAN_STORE"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_UMBRELLA = {"organization": "org", "tenancy": "tenancy"}
_MAX_KEY_IDS = 200  # beyond this many characters of ids, the key names a hash of them instead


def default_url() -> str:
    """$CMM_SCAN_STORE, else a SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    return os.environ.get(STORE_ENV) or f"sqlite:///{Path(user_data_dir('cmm-scan')) / 'history.sqlite3'}"


def open_store(url: str, migrate: bool = True, create: bool = True) -> Store:
    """Open (creating and migrating as needed) the store a URL names; UserError for a bad URL.

    Commands that only read (`history`, `diff`) pass create=False: a mistyped path is refused, not made."""
    url = url.strip()
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match and len(match.group(1)) > 1 else ""  # 1 letter: a Windows drive
    store: Store
    if scheme in ("postgresql", "postgres"):
        from cmm_scan.store.postgres import PostgresStore

        store = PostgresStore(url)
    elif scheme in ("sqlite", ""):
        path = url[len("sqlite:") :] if scheme else url
        path = path[2:] if path.startswith("//") else path
        if not path:
            raise UserError(f"store URL '{url}' names no file", "for example --store sqlite:///var/lib/cmm/history.db")
        from cmm_scan.store.sqlite import SqliteStore

        if not create and not Path(path).expanduser().is_file():
            raise UserError(f"no store at {path}: nothing has been stored there", "check --store or $CMM_SCAN_STORE")
        store = SqliteStore(Path(path))
    else:
        raise UserError(
            f"store URL scheme '{scheme}' is not supported",
            "use sqlite:///path/to/file.db or postgresql://user@host/dbname",
        )
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
    return store


def _provider_key(provider: str, scopes: list[ScopeInfo]) -> str:
    umbrellas = sorted(f"{_UMBRELLA[s.kind]}:{s.id}" for s in scopes if s.kind in _UMBRELLA)
    if umbrellas:
        return f"{provider}:{','.join(umbrellas)}"
    ids = sorted({s.id for s in scopes})
    joined = ",".join(ids) or "unknown"
    if len(joined) > _MAX_KEY_IDS:
        joined = f"{len(ids)}-scopes-{hashlib.sha256(joined.encode()).hexdigest()[:12]}"
    return f"{provider}:{joined}"


def scope_key(assessment: Assessment, shard: tuple[int, int] | None = None) -> str:
    """What makes runs comparable: provider plus the scanned scopes, e.g. `aws:111111111111`.

    An organisation (or OCI tenancy) scan is keyed by the organisation, not its accounts, so
    its history survives accounts joining and leaving: `aws:org:o-abc`. A shard of it gets its
    own key below the organisation's, `aws:org:o-abc/shard-2-of-4`, so shards never compare
    with each other and `history --scope aws:org:o-abc` lists them all. A complete set of shards
    scored together is the organisation's run; a partial set is keyed by the shards it holds.
    """
    source = assessment.source
    by_provider: dict[str, list[ScopeInfo]] = {}
    for scope in source.scopes:
        by_provider.setdefault(scope.provider or source.provider, []).append(scope)
    # An estate of several providers: one key per provider, joined (aws:org:o-abc+azure:sub-1).
    key = "+".join(_provider_key(p, by_provider[p]) for p in sorted(by_provider)) or f"{source.provider}:unknown"
    return key + shard_suffix(assessment, shard)


def shard_suffix(assessment: Assessment, shard: tuple[int, int] | None = None) -> str:
    """'/shard-2-of-4' for one shard; for an incomplete shard set scored on purpose, which is no run of
    the whole organisation, the shards it holds ('/shards-1+3-of-4'); '' for a whole estate."""
    source = assessment.source
    if shard is None and source.partial:
        held = sorted({s.shard for s in source.snapshots if s.shard})
        if len(held) == 1:
            shard = held[0]
        elif held:
            return f"/shards-{'+'.join(str(i) for i, _ in held)}-of-{held[0][1]}"
    return f"/shard-{shard[0]}-of-{shard[1]}" if shard else ""
