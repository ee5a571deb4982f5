"""`cmm-scan emulate azure|gcp|oci --estate FILE`: serve an estate until interrupted.

Imported when the CLI builds its parser, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from cmm_scan.errors import UserError

EMULATED = ("azure", "gcp", "oci", "github")


def add_parser(sub: Any, parents: list[argparse.ArgumentParser], handler: Any) -> None:
    p = sub.add_parser(
        "emulate",
        parents=parents,
        help="serve an Azure, GCP or OCI estate file to the real SDKs on 127.0.0.1 (testing, trying rules offline)",
        description="Serve an estate file on 127.0.0.1 and print the settings (export lines) that point cmm-scan "
        "and the official SDKs at it. Runs until interrupted. See docs/emulator.md.",
    )
    p.add_argument("provider", choices=EMULATED, help="cloud to emulate")
    p.add_argument("--estate", type=Path, required=True, help="the estate file (YAML, the provider's own API shapes)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    p.add_argument("--page-size", type=int, default=100, help="largest page any list or query returns (default 100)")
    p.add_argument("--request-log", type=Path, help="append every request answered to this file as a JSON line")
    p.add_argument("--seed", type=int, help="seed for throttle and fail faults (default: the estate's, else 0)")
    p.add_argument("--throttle", type=float, help="share of requests (0-1) answered 'too many requests'")
    p.add_argument("--fail", type=float, help="share of requests (0-1) answered with a server error")
    p.add_argument("--latency-ms", type=int, help="delay every response by this many milliseconds")
    p.set_defaults(handler=handler)


def _faults(args: argparse.Namespace, estate_faults: Any) -> Any:
    """The estate's faults with the command-line options laid over them."""
    from cmm_scan.emulate.core import Faults

    for option, value in (("--throttle", args.throttle), ("--fail", args.fail)):
        if value is not None and not 0 <= value <= 1:
            raise UserError(f"{option} {value:g} is not a share between 0 and 1", f"for example {option} 0.3")
    if args.latency_ms is not None and args.latency_ms < 0:
        raise UserError(f"--latency-ms {args.latency_ms} is negative")
    data = estate_faults.model_dump()
    if args.seed is not None:
        data["seed"] = args.seed
    if args.throttle is not None:
        data["throttle"] = {**(data.get("throttle") or {}), "share": args.throttle}
    if args.fail is not None:
        data["fail"] = {**(data.get("fail") or {}), "share": args.fail}
    if args.latency_ms is not None:
        data["latency_ms"] = args.latency_ms
    return Faults.model_validate(data)


def run(args: argparse.Namespace, out: Any = None, err: Any = None) -> int:
    """Serve until SIGINT or SIGTERM; both exit 0 quietly."""
    from cmm_scan.emulate import provider as provider_for
    from cmm_scan.emulate.core import Emulator, load_estate

    out, err = out or sys.stdout, err or sys.stderr
    if args.page_size < 1:
        raise UserError(f"--page-size {args.page_size} must be at least 1")
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port number (0-65535; 0 picks a free one)")
    log = args.request_log
    if log is not None and ((log.exists() and not log.is_file()) or not log.parent.is_dir()):
        raise UserError(f"--request-log {log}: not a regular file in an existing directory")
    provider = provider_for(args.provider)
    estate = load_estate(provider, args.estate)
    faults = _faults(args, estate.faults)
    try:
        emulator = Emulator(provider, estate, port=args.port, page_size=args.page_size, request_log=log, faults=faults)
    except OSError as exc:
        raise UserError(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", "choose another --port, or 0 for any free port"
        ) from None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        for name, value in emulator.env.items():
            print(f"export {name}={shlex.quote(value)}", file=out)
        out.flush()
        if not getattr(args, "quiet", False):
            print(f"cmm-scan emulate: serving {args.estate} ({args.provider}) on {emulator.url}; Ctrl-C to stop", file=err)
            err.flush()
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        emulator.stop()
    return 0
