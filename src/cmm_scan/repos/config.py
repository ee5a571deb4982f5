"""What a repository's configuration files say: CI/CD definitions and their steps, pinning, update bots,
infrastructure as code, CODEOWNERS. Patterns come from providers/repos/classify.yaml.

Only the files the table names are read, and only their classification is kept: a file's text
never leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import translate
from functools import cache
from typing import Any

import yaml

from cmm_scan.paths import bundled

STEP_CATEGORIES = (
    "tests",
    "static_analysis",
    "dependency_scanning",
    "image_scanning",
    "sbom",
    "signing",
    "provenance",
    "deploy",
    "approval",
    "progressive",
    "iac",
    "policy_check",
)
ACTION_REF = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^\s'\"#]+)", re.MULTILINE)
IMAGE_REF = re.compile(r"^\s*-?\s*(?:image|name):\s*['\"]?([a-z0-9][\w.\-/]*[:@][^\s'\"#]+)", re.MULTILINE | re.IGNORECASE)
FROM_LINE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.MULTILINE | re.IGNORECASE)
SHA_PIN = re.compile(r"@[0-9a-f]{40}$")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][\w.\-\[\],]*)\s*(.*)$")


@dataclass(frozen=True)
class Table:
    pipelines: dict[str, list[str]]
    steps: dict[str, list[re.Pattern[str]]]
    ecosystems: dict[str, dict[str, list[str]]]
    markers: dict[str, list[str]]
    iac: dict[str, list[str]]
    branches: dict[str, list[str]]


@cache
def table() -> Table:
    raw: dict[str, Any] = yaml.safe_load((bundled("providers") / "repos" / "classify.yaml").read_text(encoding="utf-8"))
    steps = {name: [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns] for name, patterns in raw["steps"].items()}
    missing = set(STEP_CATEGORIES) - set(steps)
    if missing:
        raise ValueError(f"providers/repos/classify.yaml: steps lack {sorted(missing)}")
    return Table(raw["pipelines"], steps, raw["ecosystems"], raw["markers"], raw["iac"], raw["branches"])


@dataclass
class Pipeline:
    """One CI/CD definition file and what its steps do."""

    path: str
    system: str
    steps: dict[str, bool]
    actions: int = 0
    actions_pinned: int = 0
    images: int = 0
    images_pinned: int = 0


@dataclass
class RepoConfig:
    pipelines: list[Pipeline] = field(default_factory=list)
    ecosystems: list[str] = field(default_factory=list)
    locked_ecosystems: list[str] = field(default_factory=list)
    update_bots: list[str] = field(default_factory=list)
    codeowners: bool = False
    security_policy: bool = False
    iac_tools: list[str] = field(default_factory=list)
    policy_files: bool = False
    dockerfiles: int = 0
    base_images: int = 0
    base_images_pinned: int = 0


def relevant(paths: list[str]) -> list[str]:
    """The paths any pattern of the table could match: one compiled expression per path, so a
    monorepo's 100,000 files cost a fraction of a second before the detailed matching."""
    t = table()
    patterns = [p for group in (t.pipelines, t.markers, t.iac) for ps in group.values() for p in ps]
    patterns += [p for spec in t.ecosystems.values() for key in ("manifests", "locks") for p in spec[key]]
    patterns.append("requirements.txt")
    by_path = _glob([p for p in patterns if "/" in p])
    by_name = _glob([p for p in patterns if "/" not in p])
    return [p for p in paths if by_name.match(p.rsplit("/", 1)[-1]) or by_path.match(p)]


def wanted_files(paths: list[str]) -> dict[str, str]:
    """The files to read, path -> why (a pipeline system, 'dockerfile' or 'requirements')."""
    t = table()
    out: dict[str, str] = {}
    for path in relevant(paths):
        system = next((s for s, patterns in t.pipelines.items() if _glob(patterns).match(path)), None)
        if system:
            out[path] = system
        elif _anywhere(path, t.markers["dockerfile"]):
            out[path] = "dockerfile"
        elif path.rsplit("/", 1)[-1] == "requirements.txt":
            out[path] = "requirements"
    return out


def classify(paths: list[str], texts: dict[str, str]) -> RepoConfig:
    """`paths`: every file in the default branch's tree; `texts`: the contents of `wanted_files(paths)`
    (a file that could not be read is absent and simply not classified)."""
    t = table()
    config = RepoConfig()
    paths = relevant(paths)
    names = {p.rsplit("/", 1)[-1] for p in paths}
    wanted = wanted_files(paths)
    for path, why in sorted(wanted.items()):
        text = texts.get(path)
        if text is None:
            continue
        if why == "dockerfile":
            total, pinned = _base_images(text)
            config.dockerfiles += 1
            config.base_images += total
            config.base_images_pinned += pinned
        elif why != "requirements":
            config.pipelines.append(_pipeline(path, why, text))
    requirements_pinned = [_requirements_pinned(texts[p]) for p, why in wanted.items() if why == "requirements" and p in texts]
    for ecosystem, spec in t.ecosystems.items():
        if any(_glob(spec["manifests"]).match(n) for n in names):
            config.ecosystems.append(ecosystem)
            locked = any(n in spec["locks"] for n in names)
            if ecosystem == "python" and not locked and requirements_pinned:
                locked = all(requirements_pinned)  # requirements files that pin every package with == (and hashes)
            if locked:
                config.locked_ecosystems.append(ecosystem)
    config.update_bots = [bot for bot in ("dependabot", "renovate") if any(p in t.markers[bot] for p in paths)]
    config.codeowners = any(p in t.markers["codeowners"] for p in paths)
    lowered = {p.lower() for p in paths}
    config.security_policy = any(p.lower() in lowered for p in t.markers["security_policy"])
    config.iac_tools = [tool for tool, patterns in t.iac.items() if any(_anywhere(p, patterns) for p in paths)]
    config.policy_files = any(_anywhere(p, t.markers["policy_files"]) for p in paths)
    return config


def _anywhere(path: str, patterns: list[str]) -> bool:
    """The pattern matches the whole path, or the file name at any depth."""
    name = path.rsplit("/", 1)[-1]
    pattern = _glob(patterns)
    return bool(pattern.match(path) or pattern.match(name))


def _glob(patterns: list[str] | tuple[str, ...]) -> Glob:
    return _compiled(tuple(patterns))


@dataclass(frozen=True)
class Glob:
    """fnmatch patterns, matched fast (a monorepo has 100,000 paths to test): exact names in a set,
    `*suffix` patterns with one `endswith`, the few others in one expression."""

    exact: frozenset[str]
    suffixes: tuple[str, ...]
    others: re.Pattern[str] | None

    def match(self, text: str) -> bool:
        return text in self.exact or text.endswith(self.suffixes) or bool(self.others and self.others.match(text))


WILDCARDS = re.compile(r"[*?\[]")


@cache
def _compiled(patterns: tuple[str, ...]) -> Glob:
    exact = frozenset(p for p in patterns if not WILDCARDS.search(p))
    suffixes = tuple(p[1:] for p in patterns if p.startswith("*") and not WILDCARDS.search(p[1:]))
    rest = [p for p in patterns if p not in exact and not (p.startswith("*") and not WILDCARDS.search(p[1:]))]
    others = re.compile("|".join(f"(?:{translate(p)})" for p in rest)) if rest else None
    return Glob(exact, suffixes, others)


def _code_lines(text: str) -> str:
    """The definition without comment lines (a commented-out step does nothing)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "//")))


def _pipeline(path: str, system: str, text: str) -> Pipeline:
    code = _code_lines(text)
    steps = {name: any(p.search(code) for p in patterns) for name, patterns in table().steps.items()}
    actions = [a for a in ACTION_REF.findall(code) if not a.startswith(("./", "docker://"))]
    images = [i for i in IMAGE_REF.findall(code) if "/" in i or ":" in i]
    return Pipeline(
        path=path,
        system=system,
        steps=steps,
        actions=len(actions),
        actions_pinned=sum(1 for a in actions if SHA_PIN.search(a)),
        images=len(images),
        images_pinned=sum(1 for i in images if DIGEST.search(i)),
    )


def _base_images(text: str) -> tuple[int, int]:
    """FROM lines that pull an image (not `scratch`, not an earlier stage), and how many pin a digest."""
    stages: set[str] = set()
    total = pinned = 0
    for image, alias in FROM_LINE.findall(text):
        if image.lower() != "scratch" and image not in stages and not image.startswith("$"):
            total += 1
            pinned += bool(DIGEST.search(image))
        if alias:
            stages.add(alias)
    return total, pinned


def _requirements_pinned(text: str) -> bool:
    """Every requirement is pinned to one version (`==`); options, includes and comments are skipped."""
    seen = False
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        found = REQUIREMENT.match(line)
        if not found:
            continue
        seen = True
        if "==" not in found.group(2):
            return False
    return seen
