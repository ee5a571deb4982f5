"""Real git repositories for the tests, built in one `git fast-import` stream (fast even at 10,000 commits).

repo = Repo(tmp_path / "svc", remote="https://github.com/dept/svc")
repo.commit("main", {"README.md": "hi"}, days_ago=200)
repo.branch("feature/x", "main").commit("feature/x", {"x.py": "..."}, days_ago=10)
repo.merge("feature/x", into="main", days_ago=9)
repo.tag("v1.0.0", "main", days_ago=9)
path = repo.build()
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

DAY = 86400


class Repo:
    def __init__(self, path: Path, default: str = "main", remote: str | None = None, now: float | None = None):
        self.path = path
        self.default = default
        self.remote = remote
        self.now = int(now or time.time())
        self._stream: list[bytes] = []
        self._marks = 0
        self._tips: dict[str, int] = {}

    def _when(self, days_ago: float) -> int:
        return self.now - int(days_ago * DAY)

    def _emit_commit(self, branch: str, message: str, when: int, files: dict[str, str], merge: int | None, start: int | None) -> int:
        self._marks += 1
        mark = self._marks
        parts = [f"commit refs/heads/{branch}\nmark :{mark}\ncommitter Test <test@example.invalid> {when} +0000\n".encode()]
        body = message.encode()
        parts.append(b"data %d\n%s\n" % (len(body), body))
        parent = start if start is not None else self._tips.get(branch)
        if parent is not None:
            parts.append(f"from :{parent}\n".encode())
        if merge is not None:
            parts.append(f"merge :{merge}\n".encode())
        for name, text in files.items():
            data = text.encode()
            parts.append(f"M 100644 inline {name}\n".encode() + b"data %d\n%s\n" % (len(data), data))
        self._stream.append(b"".join(parts))
        self._tips[branch] = mark
        return mark

    def commit(self, branch: str, files: dict[str, str] | None = None, days_ago: float = 1, message: str = "change") -> Repo:
        files = files or {f"{branch.replace('/', '_')}-{self._marks}.txt": str(self._marks)}
        self._emit_commit(branch, message, self._when(days_ago), files, None, None)
        return self

    def commits(self, branch: str, n: int, first_days_ago: float, last_days_ago: float = 0) -> Repo:
        """`n` commits spread evenly over the window; only the first writes a file (empty commits keep
        a 10,000-commit history to one tree, so it builds in seconds)."""
        step = (first_days_ago - last_days_ago) / max(n - 1, 1)
        for i in range(n):
            files = {f"{branch.replace('/', '_')}.log": "start"} if i == 0 else {}
            self._emit_commit(branch, f"change {i}", self._when(first_days_ago - i * step), files, None, None)
        return self

    def branch(self, name: str, start: str) -> Repo:
        """A new branch at `start`'s tip (its first commit names the parent)."""
        self._tips[name] = self._tips[start]
        self._stream.append(f"reset refs/heads/{name}\nfrom :{self._tips[start]}\n\n".encode())
        return self

    def merge(self, source: str, into: str, days_ago: float = 1, message: str | None = None) -> Repo:
        text = message or (f"Merge branch '{source}'" if into == self.default else f"Merge branch '{source}' into {into}")
        self._emit_commit(into, text, self._when(days_ago), {}, self._tips[source], None)
        return self

    def feature(self, name: str, into: str | None = None, days_ago: float = 1, pr: int | None = None) -> Repo:
        """A short-lived branch: one commit, merged (as a pull request when `pr` is given) and left behind."""
        into = into or self.default
        self.branch(name, into).commit(name, days_ago=days_ago + 0.5)
        message = f"Merge pull request #{pr} from dept/{name}" if pr else None
        return self.merge(name, into, days_ago=days_ago, message=message)

    def tag(self, name: str, branch: str, days_ago: float = 1) -> Repo:
        when = self._when(days_ago)
        message = f"release {name}".encode()
        self._stream.append(
            f"tag {name}\nfrom :{self._tips[branch]}\ntagger Test <test@example.invalid> {when} +0000\n".encode()
            + b"data %d\n%s\n" % (len(message), message)
        )
        return self

    def delete_branch(self, name: str) -> Repo:
        self._tips.pop(name, None)
        self._deleted = getattr(self, "_deleted", set()) | {name}
        return self

    def build(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "-b", self.default, str(self.path)], check=True)
        subprocess.run(
            ["git", "-c", "core.compression=0", "-C", str(self.path), "fast-import", "--quiet", "--done", "--depth=0"],
            input=b"".join(self._stream) + b"done\n",
            check=True,
        )
        for name in getattr(self, "_deleted", set()):
            subprocess.run(["git", "-C", str(self.path), "update-ref", "-d", f"refs/heads/{name}"], check=True)
        if self.remote:
            subprocess.run(["git", "-C", str(self.path), "remote", "add", "origin", self.remote], check=True)
        return self.path
