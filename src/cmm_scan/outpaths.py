"""Where the tool writes: checked before any work, and written so a reader never sees half a set.

- An output directory must be a directory we can write in; a missing one is created if its parent exists
  (a mistyped deep path is refused rather than silently built).
- Only regular files are ever replaced: a symlink, device, pipe or directory in the way is refused, so
  `--output /dev/full` or a symlink planted in the report directory cannot be clobbered.
- A report set is written into a staging directory and moved into place file by file with interrupts
  held back, so Ctrl-C leaves either the previous set or the new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from cmm_scan.errors import UserError

STAGING_PREFIX = ".cmm-scan-staging-"


def check_output_dir(path: Path, option: str) -> None:
    """Refuse, with one line, a directory we could not write the outputs into."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        parent = path.absolute().parent
        if not parent.is_dir():
            raise UserError(f"{option} {path}: {parent} does not exist", "create it first, or choose another directory") from None
        _check_writable(parent, option, path)
        return
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot use it: {exc.strerror}", "choose another directory") from None
    if not stat.S_ISDIR(mode):
        raise UserError(f"{option} {path}: is a file, not a directory", "choose a directory; a missing one is created")
    _check_writable(path, option, path)


def check_output_file(path: Path, option: str) -> None:
    """The file's directory is usable and the file itself, if present, is one we may replace."""
    check_output_dir(path.parent, f"{option} {path}: directory")
    check_replaceable(path, option)


def check_replaceable(path: Path, option: str = "output") -> None:
    """Only a regular file (not a symlink to one) is ever replaced."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot use it: {exc.strerror}", "choose another path") from None
    if not stat.S_ISREG(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "a directory" if stat.S_ISDIR(mode) else "a special file"
        raise UserError(f"{option} {path}: is {kind}; cmm-scan only replaces regular files", "choose another path")


def _check_writable(directory: Path, option: str, named: Path) -> None:
    """Try it: permission bits say nothing for root, and nothing about read-only or virtual file systems."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".cmm-scan-probe-", dir=directory)
    except OSError as exc:
        raise UserError(f"{option} {named}: cannot write in {directory}: {exc.strerror}", "choose a directory you can write in") from None
    os.close(fd)
    os.unlink(probe)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for a few renames, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    wanted = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda signum, _frame: received.append(signum)) for number in wanted}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])


def write_set(out_dir: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Call `write(staging_dir)` and move what it wrote into `out_dir` as one set; return the final paths."""
    check_output_dir(out_dir, "--output-dir")
    created = not out_dir.exists()
    staging: Path | None = None
    done = False
    try:
        with interrupts_held():  # a Ctrl-C held here is raised at the end of the block, inside this try
            out_dir.mkdir(exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        staged = write(staging)
        for path in staged:
            check_replaceable(out_dir / path.name, "report file")
        with interrupts_held():
            for path in staged:
                os.replace(path, out_dir / path.name)
        done = True
        return [out_dir / path.name for path in staged]
    finally:
        with interrupts_held():
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if created and not done:
                _remove_if_empty(out_dir)


def _remove_if_empty(directory: Path) -> None:
    with suppress(OSError):
        directory.rmdir()
