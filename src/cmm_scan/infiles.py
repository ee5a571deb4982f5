"""Reading the files a user names: regular files or pipes (`--config <(...)`), of a sane size, as UTF-8 text,
or one clear line. A device (/dev/zero never ends) or a directory is refused before any read."""

from __future__ import annotations

import stat
from pathlib import Path

from cmm_scan.errors import UserError

MAX_BYTES = 256 * 1024 * 1024  # far above any config, answers file or assessment; /dev/zero never ends


def check_regular(path: Path, hint: str = "check the path") -> None:
    """A device, directory or pipe named as an input would hang or fail deep inside: refuse it first."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}", hint) from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError(f"{path}: is a directory, not a file", hint)
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise UserError(f"{path}: is not a regular file", hint)
    if info.st_size > MAX_BYTES:
        raise UserError(f"{path}: too large ({info.st_size // (1024 * 1024)} MiB) for this kind of file", hint)


def read_text(path: Path, hint: str = "check the path", expected: str = "text") -> str:
    check_regular(path, hint)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # a pipe has no size to check beforehand
        if len(data) > MAX_BYTES:
            raise UserError(f"{path}: too large for this kind of file", hint)
        return data.decode("utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}", hint) from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file (not UTF-8): expected {expected}", hint) from None
