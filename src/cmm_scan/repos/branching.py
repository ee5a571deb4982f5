"""The branching model of a repository, from its branch names and the merges into its default branch.

  trunk        one long-lived branch; work lands on it directly or from short-lived branches
               (trunk-based development, GitHub Flow)
  gitflow      a develop branch beside the default branch, with release/hotfix branches (GitFlow)
  environment  long-lived branches per environment (dev, staging, production) merged into each other
  ad_hoc       other long-lived branches merged again and again (a home-made model)
  minimal      too little history to have a model (fewer than MIN_COMMITS commits)

`strict` says the repository follows its recognised model as written: trunk with no long-lived
branch beside it; GitFlow whose default branch takes merges only from develop, release and hotfix
branches. A branch is long-lived when the default branch took merges from it RECURRING times or more.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase

from cmm_scan.repos.config import table

MIN_COMMITS = 10
RECURRING = 3
MERGE_SUBJECTS = (
    re.compile(r"^Merge pull request #\d+ from [^/\s]+/(\S+)"),
    re.compile(r"^Merge (?:remote-tracking )?branch '(?:origin/)?([^']+)'"),
    re.compile(r"^Merged? in (\S+) \(pull request #\d+\)"),  # Bitbucket
)


@dataclass(frozen=True)
class Model:
    model: str
    strict: bool
    long_lived: tuple[str, ...]  # branches other than the default that live on (names)


def merge_source(subject: str) -> str | None:
    for pattern in MERGE_SUBJECTS:
        found = pattern.match(subject)
        if found:
            return found.group(1)
    return None


def classify(default: str, branches: list[str], merge_sources: list[str], total_commits: int) -> Model:
    names = table().branches
    develop = set(names["develop"])
    environments = set(names["environment"])
    counts = Counter(s for s in merge_sources if s != default)
    recurring = {name for name, n in counts.items() if n >= RECURRING}
    present = set(branches) - {default}
    long_lived = sorted(recurring | {b for b in present if b in develop or b in environments})
    if total_commits < MIN_COMMITS:
        return Model("minimal", False, tuple(long_lived))
    releases = names["release"]
    has_develop = bool(develop & (present | recurring))
    if has_develop:
        from_allowed = [s for s in counts if s in develop or any(fnmatchcase(s, p) for p in releases)]
        merged = sum(counts.values())
        strict = merged > 0 and sum(counts[s] for s in from_allowed) >= 0.9 * merged and not (environments & set(long_lived))
        return Model("gitflow", strict, tuple(long_lived))
    env_lived = [b for b in long_lived if b in environments]
    if env_lived:
        return Model("environment", False, tuple(long_lived))
    odd = [b for b in recurring if not any(fnmatchcase(b, p) for p in releases)]
    if odd:
        return Model("ad_hoc", False, tuple(long_lived))
    release_lines = any(any(fnmatchcase(b, p) for p in releases) for b in present | recurring)
    return Model("trunk", not long_lived and not release_lines, tuple(long_lived))
