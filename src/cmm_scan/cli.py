"""The `cmm-scan` command line. Heavy imports happen inside the commands, so `--version` is instant.

Exit codes (docs/exit-codes.md):
  0  success
  1  internal error (a bug: please report it)
  2  bad input or usage: a malformed file, an unknown option value, bad credentials
  3  collection read nothing at all (every collector denied or failed)
  4  CI gate failed: a regression, or an answer below a configured minimum
  130 interrupted
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmm_scan import __version__
from cmm_scan.errors import UserError

if TYPE_CHECKING:
    from cmm_scan.config import Config
    from cmm_scan.models import Assessment

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_NOTHING_READ, EXIT_GATE = 0, 1, 2, 3, 4
PROVIDERS = ("aws", "azure", "gcp", "oci")
DEFAULT_FORMATS = "json,md,cmm"
DEMO_FORMATS = "json,md,csv,cmm,html"


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


# --- argument parsing --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cmm-scan",
        description="Suggest evidence-backed answers for the GOV.UK Cloud Maturity Model from cloud configuration.",
        epilog="Exit codes: 0 ok, 1 internal error, 2 bad input, 3 nothing could be read, 4 CI gate failed.",
    )
    parser.add_argument("--version", action="version", version=f"cmm-scan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    noise.add_argument("-v", "--verbose", action="store_true", help="print details (and tracebacks of internal errors)")

    outputs = argparse.ArgumentParser(add_help=False)
    outputs.add_argument("--output-dir", "-o", type=Path, default=Path("cmm-report"), help="where to write (default ./cmm-report)")
    outputs.add_argument("--format", default=None, help=f"comma list of json, md, csv, cmm, html (default {DEFAULT_FORMATS})")

    scoring = argparse.ArgumentParser(add_help=False)
    scoring.add_argument("--config", type=Path, help="YAML config: threshold overrides, target and minimum levels")
    scoring.add_argument("--answers", type=Path, help="YAML file of human answers (see `cmm-scan import-cmm`)")
    scoring.add_argument("--rules-dir", type=Path, help=argparse.SUPPRESS)

    selecting = argparse.ArgumentParser(add_help=False)
    selecting.add_argument("--questions", help="comma list of rule ids or prefixes (cmm, csmm, cost, sec.mfa...)")

    from cmm_scan import history_cli

    storing = history_cli.store_arguments()

    collecting = argparse.ArgumentParser(add_help=False)
    collecting.add_argument("provider", choices=PROVIDERS, help="cloud to scan")
    collecting.add_argument("--regions", help="comma list of regions (default: all enabled regions)")
    collecting.add_argument("--profile", help="AWS: named profile (SSO profiles too)")
    collecting.add_argument("--role-arn", help="AWS: role to assume first")
    collecting.add_argument("--external-id", help="AWS: external id for --role-arn")
    collecting.add_argument("--org", action="store_true", help="AWS: scan every account of the Organization")
    collecting.add_argument("--member-role", default="OrganizationAccountAccessRole", help="AWS: role to assume in member accounts")
    collecting.add_argument("--accounts", help="AWS: comma list of account ids to include; prefix with ! to exclude")
    collecting.add_argument("--tenancy", help="OCI: tenancy OCID (default: the credentials' tenancy)")
    collecting.add_argument("--compartments", help="OCI: comma list of compartment ids or names (with subtrees); ! excludes")
    collecting.add_argument("--config-file", help="OCI: config file (default $OCI_CONFIG_FILE or ~/.oci/config)")
    collecting.add_argument("--oci-profile", help="OCI: profile in the config file (default $OCI_CLI_PROFILE or DEFAULT)")
    collecting.add_argument(
        "--auth", choices=("config", "security_token", "instance_principal", "resource_principal"), help="OCI: credentials (default config)"
    )
    collecting.add_argument("--shard", help="scan only shard i of n of the accounts, as i/n (1-based)")
    collecting.add_argument("--endpoint-url", help="send every API call to this endpoint (testing, private endpoints)")
    collecting.add_argument("--workers", type=int, default=8, help="parallel API callers (default 8)")

    p = sub.add_parser("collect", parents=[common, collecting, selecting], help="read a cloud estate into a snapshot file")
    p.add_argument("--output", type=Path, default=Path("cmm-report/snapshot.jsonl.gz"), help="snapshot path (.jsonl or .jsonl.gz)")
    p.set_defaults(handler=cmd_collect)

    p = sub.add_parser("score", parents=[common, outputs, scoring, selecting, storing], help="score a snapshot into an assessment")
    p.add_argument("snapshot", type=Path)
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("report", parents=[common, outputs, scoring], help="render an assessment.json in other formats")
    p.add_argument("assessment", type=Path)
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("scan", parents=[common, collecting, outputs, scoring, selecting, storing], help="collect, score and report")
    p.set_defaults(handler=cmd_scan)

    p = sub.add_parser("demo", parents=[common, outputs, scoring, selecting, storing], help="the whole pipeline on a bundled sample estate")
    p.set_defaults(handler=cmd_demo)

    rules = sub.add_parser("rules", help="check, list and explain the rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    for name, helptext in (("check", "validate every rule file"), ("list", "one line per rule")):
        r = rules_sub.add_parser(name, parents=[common], help=helptext)
        r.add_argument("--rules-dir", type=Path, help=argparse.SUPPRESS)
        r.add_argument("--config", type=Path, help="also check threshold overrides in this config")
        r.set_defaults(handler=cmd_rules)
    r = rules_sub.add_parser("explain", parents=[common], help="show one rule: signals, thresholds, gates")
    r.add_argument("rule_id")
    r.add_argument("--rules-dir", type=Path, help=argparse.SUPPRESS)
    r.add_argument("--config", type=Path)
    r.set_defaults(handler=cmd_rules)

    p = sub.add_parser("permissions", parents=[common, selecting], help="print the least-privilege policy a scan needs")
    p.add_argument("provider", choices=PROVIDERS)
    p.set_defaults(handler=cmd_permissions)

    p = sub.add_parser("import-cmm", parents=[common], help="turn a report saved by the official GOV.UK tool into an answers file")
    p.add_argument("file", type=Path, help="the JSON file the official tool's 'Save this report' wrote")
    p.add_argument("--output", type=Path, default=Path("answers.yaml"), help="answers file to write (default answers.yaml)")
    p.add_argument("--answered-by", default="", help="who gave these answers (recorded on each)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.set_defaults(handler=cmd_import_cmm)

    from cmm_scan.emulate import command as emulate_command

    emulate_command.add_parser(sub, [common], cmd_emulate)

    history_cli.add_commands(sub, common)
    return parser


# --- commands ----------------------------------------------------------------------------


def _selected_rules(args: argparse.Namespace, config: Config | None = None) -> list[Any]:
    from cmm_scan.rules import load_rules

    select = args.questions.split(",") if getattr(args, "questions", None) else None
    return load_rules(getattr(args, "rules_dir", None), config.thresholds if config else None, select)


def _formats(args: argparse.Namespace, default: str) -> list[str]:
    from cmm_scan.outputs import parse_formats

    return parse_formats(args.format or default)


def _finish(
    assessment: Assessment, args: argparse.Namespace, console: Console, config: Config, formats: list[str], record: bool = True
) -> int:
    """Apply human answers and write the outputs; with `record`, through the store (history in, run out, CI gates)."""
    from cmm_scan.answers import apply_answers, load_answers
    from cmm_scan.history_cli import Recorder
    from cmm_scan.outputs import write_outputs

    if getattr(args, "answers", None):
        apply_answers(assessment, load_answers(args.answers))
    recorder = Recorder.of(args, console) if record else None
    if recorder:
        recorder.before_outputs(assessment)
    written = write_outputs(assessment, args.output_dir, formats, config)
    for path in written:
        console.note(f"wrote {path}")
    return recorder.after_outputs(assessment, config) if recorder else EXIT_OK


def cmd_score(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.config import load_config
    from cmm_scan.engine import evaluate
    from cmm_scan.history_cli import Recorder

    config = load_config(args.config)
    formats = _formats(args, DEFAULT_FORMATS)
    Recorder.of(args, console)  # a bad --store fails before scoring
    rules = _selected_rules(args, config)
    progress = console.progress("scoring")
    assessment = evaluate(args.snapshot, rules, progress=progress.update)
    progress.finish()
    return _finish(assessment, args, console, config, formats)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.assessment_io import read_assessment
    from cmm_scan.config import load_config

    config = load_config(args.config)
    formats = _formats(args, "md")
    return _finish(read_assessment(args.assessment), args, console, config, formats)


def cmd_collect(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import collect

    rules = _selected_rules(args)
    summary = collect(args, rules, args.output, console)
    console.note(f"wrote {args.output}: {summary}")
    return EXIT_OK if summary.anything_read else EXIT_NOTHING_READ


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import collect
    from cmm_scan.config import load_config
    from cmm_scan.engine import evaluate

    config = load_config(args.config)
    formats = _formats(args, DEFAULT_FORMATS)
    if args.answers:
        from cmm_scan.answers import load_answers

        load_answers(args.answers)  # fail on a bad file before a long scan, not after
    rules = _selected_rules(args, config)
    from cmm_scan.history_cli import Recorder

    Recorder.of(args, console)  # a bad --store fails now, not after a long scan
    snapshot = args.output_dir / "snapshot.jsonl.gz"
    summary = collect(args, rules, snapshot, console)
    console.note(f"wrote {snapshot}: {summary}")
    if not summary.anything_read:
        # The reports still say "I don't know" for every question, so a pipeline reading them sees no level;
        # the run is kept out of the history, where it would read as a fall to 0.
        _finish(evaluate(snapshot, rules), args, console, config, formats, record=False)
        console.note("nothing could be read: check the credentials and the permissions (`cmm-scan permissions`)")
        return EXIT_NOTHING_READ
    return _finish(evaluate(snapshot, rules), args, console, config, formats)


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.config import load_config
    from cmm_scan.demo import demo_snapshot, summary_table
    from cmm_scan.engine import evaluate
    from cmm_scan.history_cli import Recorder

    config = load_config(args.config)
    formats = _formats(args, DEMO_FORMATS)
    Recorder.of(args, console)
    rules = _selected_rules(args, config)
    assessment = evaluate(demo_snapshot(), rules)
    code = _finish(assessment, args, console, config, formats)
    console.out(summary_table(assessment))
    console.out(f"\nReports in {args.output_dir}/ — open assessment.md, or load cmm-assessment.json into the official tool.")
    return code


def cmd_rules(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan import rules_cli

    return rules_cli.run(args, console)


def cmd_permissions(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import permissions_document

    rules = _selected_rules(args)
    console.out(permissions_document(args.provider, rules))
    return EXIT_OK


def cmd_import_cmm(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.import_cmm import import_cmm

    count = import_cmm(args.file, args.output, args.answered_by, args.force)
    console.note(f'wrote {args.output}: {count} answers ("I don\'t know" answers left out); use it with --answers')
    return EXIT_OK


def cmd_emulate(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.emulate.command import run

    return run(args)


# --- entry point -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    console = Console(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))
    handler: Callable[[argparse.Namespace, Console], int] = args.handler
    try:
        return handler(args, console)
    except UserError as exc:
        print(f"cmm-scan: error: {exc.line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cmm-scan: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line, the traceback only when asked for
        if console.verbose:
            raise
        print(f"cmm-scan: internal error: {type(exc).__name__}: {exc} (re-run with -v for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
