"""Console and progress output: results on stdout, notes and progress on stderr.

Its own module so the CLI and the modules it calls (collect, history, rules) share it without
importing each other.
"""

from __future__ import annotations

import sys


class Console:
    """Where messages go: stdout for results, stderr for progress and notes."""

    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet, self.verbose = quiet, verbose

    def out(self, text: str = "") -> None:
        if not self.quiet:
            print(text)

    def note(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr)

    def debug(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr)

    def progress(self, label: str, total: int | None = None) -> Progress:
        return Progress(label, total, enabled=not self.quiet and sys.stderr.isatty())


class Progress:
    """A one-line progress bar on a terminal; silent when stderr is not a terminal."""

    def __init__(self, label: str, total: int | None, enabled: bool):
        self.label, self.total, self.enabled, self.done = label, total, enabled, 0

    def advance(self, n: int = 1, detail: str = "") -> None:
        self.update(self.done + n, detail)

    def update(self, done: int, detail: str = "") -> None:
        self.done = done
        if not self.enabled:
            return
        if self.total:
            filled = int(30 * min(done, self.total) / self.total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total}"
        else:
            bar = f"{done}"
        sys.stderr.write(f"\r{self.label} {bar} {detail[:40]:<40}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
