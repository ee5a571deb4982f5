"""The store's schema, as ordered migration steps.

Each step runs once, in order, inside the same transaction that records it in
`schema_version`, so a store is always at exactly one version. Never edit a released step:
add a new one. `{blob}` is the dialect's binary type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    statements: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "runs and per-question rows",
        (
            """CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                scope_key TEXT NOT NULL,
                provider TEXT NOT NULL,
                created_at TEXT NOT NULL,
                observed_at TEXT NOT NULL,
                tool_version TEXT NOT NULL,
                question_count INTEGER NOT NULL,
                assessment TEXT NOT NULL
            )""",
            "CREATE INDEX runs_scope_created ON runs (scope_key, created_at)",
            """CREATE TABLE run_questions (
                run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                question_id TEXT NOT NULL,
                framework TEXT NOT NULL,
                category TEXT NOT NULL,
                answer INTEGER NOT NULL,
                answer_source TEXT NOT NULL,
                suggested_level INTEGER,
                range_lo INTEGER,
                range_hi INTEGER,
                status TEXT NOT NULL,
                confidence TEXT NOT NULL,
                PRIMARY KEY (run_id, question_id)
            )""",
            "CREATE INDEX run_questions_question ON run_questions (question_id)",
        ),
    ),
    Step(
        2,
        "optional snapshots of runs",
        (
            """CREATE TABLE run_snapshots (
                run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                size INTEGER NOT NULL,
                data {blob} NOT NULL
            )""",
        ),
    ),
)

LATEST = STEPS[-1].version
