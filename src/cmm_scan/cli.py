"""The `cmm-scan` command line. Heavy imports happen inside the commands, so `--version` is instant.

Exit codes (docs/exit-codes.md):
  0  success
  1  internal error (a bug: please report it)
  2  bad input or usage: a malformed file, an unknown option value, bad credentials
  3  collection read nothing at all (every collector denied or failed)
  4  CI gate failed: a regression, an answer below a configured minimum, or a policy must that does not hold (--fail-on policy)
  130 interrupted (SIGINT, Ctrl-C)
  143 terminated (SIGTERM, as a scheduler stops a job)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmm_scan import __version__
from cmm_scan.console import Console
from cmm_scan.errors import UserError
from cmm_scan.flags import SCANNABLE, parse_shard
from cmm_scan.terminate import EXIT_TERMINATED, Terminated, terminated_as_interrupt

if TYPE_CHECKING:
    from cmm_scan.config import Config
    from cmm_scan.flags import Flag
    from cmm_scan.models import Assessment
    from cmm_scan.options import ProviderOptions

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_NOTHING_READ, EXIT_GATE = 0, 1, 2, 3, 4
DEFAULT_FORMATS = "json,md,cmm"
DEMO_FORMATS = "json,md,csv,cmm,html"


# --- argument parsing --------------------------------------------------------------------


def add_provider_flags(parser: argparse.ArgumentParser) -> None:
    """The common scan flags, then one group per cloud from its options module. Defaults are
    suppressed, so the namespace holds only what was typed (and another cloud's flag can be refused)."""
    from cmm_scan.flags import COMMON_FLAGS
    from cmm_scan.options import module_of

    _add_flags(parser, COMMON_FLAGS)
    for provider in SCANNABLE:
        module = module_of(provider)
        _add_flags(parser.add_argument_group(module.TITLE, module.CREDENTIALS), module.FLAGS)


def _add_flags(group: Any, flags: Sequence[Flag]) -> None:
    for flag in flags:
        kwargs: dict[str, Any] = {"dest": _dest(flag), "default": argparse.SUPPRESS, "help": flag.help}
        if flag.kind == "bool":
            kwargs["action"] = "store_true"
        else:
            kwargs["metavar"] = flag.metavar or ("LIST" if flag.kind in ("list", "filter") else flag.dest.upper())
        if flag.kind == "list":
            kwargs["nargs"] = "+"  # `--regions a b` as well as `--regions a,b`
        if flag.kind == "int":
            kwargs["type"] = int
        if flag.kind == "choice":
            kwargs["choices"] = flag.choices
            kwargs.pop("metavar")
        group.add_argument(flag.name, **kwargs)


def _dest(flag: Flag) -> str:
    return "flag_" + flag.name.lstrip("-").replace("-", "_")


def provider_options(args: argparse.Namespace) -> ProviderOptions:
    """The typed options of the chosen cloud; a flag of another cloud is refused, naming its owner."""
    from cmm_scan.flags import COMMON_FLAGS, option_of
    from cmm_scan.options import module_of, options_from_values

    if args.provider is None:
        raise UserError("which cloud? give a provider", f"e.g. `cmm-scan {args.command} aws`, or `cmm-scan scan --estate FILE`")
    own = [*COMMON_FLAGS, *module_of(args.provider).FLAGS]
    own_names = {f.name for f in own}
    for other in SCANNABLE:
        module = module_of(other)
        for flag in module.FLAGS:
            if flag.name not in own_names and hasattr(args, _dest(flag)):
                yours = ", ".join(f.name for f in module_of(args.provider).FLAGS) or "the common options"
                hint = f"see `cmm-scan scan {args.provider} --help`"
                raise UserError(f"{flag.name} is {option_of(module.TITLE)}; for {args.provider} use {yours}", hint)
    values = {f.dest: getattr(args, _dest(f)) for f in own if hasattr(args, _dest(f))}
    if getattr(args, "paths", None):  # `scan repos PATH...`: positional checkouts join --paths
        if args.provider != "repos":
            hint = f"see `cmm-scan scan {args.provider} --help`"
            raise UserError(f"unexpected arguments {' '.join(args.paths)}: only `repos` takes paths", hint)
        values["paths"] = [*values.get("paths", []), *args.paths]
    return options_from_values(args.provider, values)


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

    def outputs_with(default: str) -> argparse.ArgumentParser:  # one parent per default: --help says each command's own
        outputs = argparse.ArgumentParser(add_help=False)
        outputs.add_argument("--output-dir", "-o", type=_out_dir, default=Path("cmm-report"), help="where to write (default ./cmm-report)")
        outputs.add_argument("--format", default=None, help=f"comma list of json, md, csv, cmm, html (default {default})")
        return outputs

    outputs = outputs_with(DEFAULT_FORMATS)

    scoring = argparse.ArgumentParser(add_help=False)
    scoring.add_argument("--config", type=Path, help="YAML config: threshold overrides, target and minimum levels")
    scoring.add_argument("--answers", type=Path, help="YAML file of human answers (see `cmm-scan import-cmm`)")
    scoring.add_argument("--rules-dir", type=Path, help=argparse.SUPPRESS)
    from cmm_scan.policy import cli as policy_cli

    policy_cli.add_arguments(scoring)

    selecting = argparse.ArgumentParser(add_help=False)
    selecting.add_argument("--questions", help="comma list of rule ids or prefixes (cmm, csmm, cost, sec.mfa...)")

    from cmm_scan import history_cli

    storing = history_cli.store_arguments()

    collecting = argparse.ArgumentParser(add_help=False)
    collecting.add_argument("provider", nargs="?", choices=SCANNABLE, help="cloud to scan (scan: or --estate FILE)")
    collecting.add_argument("paths", nargs="*", metavar="PATH", help="repos: local checkouts, folders of them, or globs")
    add_provider_flags(collecting)

    p = sub.add_parser("collect", parents=[common, collecting, selecting], help="read a cloud estate into a snapshot file")
    p.add_argument("--baseline", help="also gather what this policy baseline's checks read")
    p.add_argument(
        "--output",
        type=_snapshot_target,
        default=Path("cmm-report/snapshot.jsonl.gz"),
        help="snapshot path (.jsonl or .jsonl.gz), or an s3://, gs:// or az:// URL of one (docs/estate.md)",
    )
    p.set_defaults(handler=cmd_collect)

    p = sub.add_parser("score", parents=[common, outputs, scoring, selecting, storing], help="score snapshots into one assessment")
    p.add_argument("snapshot", nargs="*", help="snapshot files, folders of them or globs: every one is pooled into one estate")
    p.add_argument("--estate", type=Path, metavar="FILE", help="score the snapshots the scans of this estate file wrote (docs/estate.md)")
    p.add_argument("--allow-partial", action="store_true", help="score an incomplete shard set anyway, marking every result partial")
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("report", parents=[common, outputs_with("md"), scoring], help="render an assessment.json in other formats")
    p.add_argument("assessment", type=Path)
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("scan", parents=[common, collecting, outputs, scoring, selecting, storing], help="collect, score and report")
    p.add_argument("--estate", type=Path, metavar="FILE", help="scan every part of the estate this YAML file names (docs/estate.md)")
    p.set_defaults(handler=cmd_scan)

    p = sub.add_parser(
        "demo",
        parents=[common, outputs_with(DEMO_FORMATS), scoring, selecting, storing],
        help="the whole pipeline on a bundled sample estate",
    )
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
    p.add_argument("--baseline", help="include what this policy baseline's checks read")
    p.add_argument("provider", choices=SCANNABLE)
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
    from cmm_scan.policy import cli as policy_cli

    if getattr(args, "answers", None):
        apply_answers(assessment, load_answers(args.answers))
    recorder = Recorder.of(args, console) if record else None
    if recorder:
        recorder.before_outputs(assessment)
    shown = policy_cli.shown(assessment, args)  # --owner: the reports show one owner's part; the store keeps the whole
    written = write_outputs(shown, args.output_dir, formats, config)
    for path in written:
        console.note(f"wrote {path}")
    code = recorder.after_outputs(assessment, config) if recorder else EXIT_OK
    if policy_cli.gate(shown, args) and code == EXIT_OK:
        code = EXIT_GATE
    return code


def cmd_score(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.config import load_config
    from cmm_scan.engine import evaluate
    from cmm_scan.estate import check_estate, snapshot_paths
    from cmm_scan.history_cli import Recorder
    from cmm_scan.policy import cli as policy_cli

    config = load_config(args.config)
    formats = _formats(args, DEFAULT_FORMATS)
    if args.estate and args.snapshot:
        raise UserError("give snapshots or --estate, not both", "--estate FILE scores the snapshots its scans wrote")
    if args.estate:
        from cmm_scan.estate_run import part_snapshots
        from cmm_scan.estatefile import load_estate

        estate = load_estate(args.estate)
        _estate_store(args, estate)
        given = part_snapshots(estate)
    elif not args.snapshot:
        raise UserError("no snapshot to score", "give snapshot files, a folder or a glob, or --estate FILE")
    else:
        given = snapshot_paths(args.snapshot)
    Recorder.of(args, console)  # a bad --store fails before scoring
    inputs = check_estate(given, args.allow_partial)
    args.snapshot_paths = inputs.paths  # the store keeps the snapshot of a one-snapshot run
    rules = _selected_rules(args, config)
    setup = policy_cli.prepare(args, config)
    progress = console.progress("scoring")
    assessment = evaluate(inputs.paths, rules, progress=progress.update, missing_shards=inputs.missing_shards)
    progress.finish()
    policy_cli.apply(assessment, setup, inputs.paths)
    return _finish(assessment, args, console, config, formats)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.assessment_io import read_assessment
    from cmm_scan.config import load_config
    from cmm_scan.policy import cli as policy_cli

    config = load_config(args.config)
    formats = _formats(args, "md")
    assessment = read_assessment(args.assessment)
    setup = policy_cli.prepare(args, config, reported=assessment)
    if setup.baseline is not None:
        raise UserError("report: a baseline is checked against a snapshot", "pass --baseline to `score` or `scan`")
    policy_cli.apply(assessment, setup, [])
    return _finish(assessment, args, console, config, formats)


def cmd_collect(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import collect

    options = provider_options(args)
    rules = _selected_rules(args)
    from cmm_scan.storage import local_output

    with local_output(args.output) as path:  # a storage URL: written locally, uploaded once whole
        summary = collect(options, rules, path, console, extra_fact_types=_baseline_fact_types(args))
    console.note(f"wrote {args.output}: {summary}")
    if summary.failed:
        console.note(summary.failed_line())
    return EXIT_OK if summary.anything_read else EXIT_NOTHING_READ


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import collect
    from cmm_scan.config import load_config
    from cmm_scan.engine import evaluate

    options = None if args.estate else provider_options(args)
    config = load_config(args.config)
    formats = _formats(args, DEFAULT_FORMATS)
    if args.answers:
        from cmm_scan.answers import load_answers

        load_answers(args.answers)  # fail on a bad file before a long scan, not after
    rules = _selected_rules(args, config)
    from cmm_scan.history_cli import Recorder
    from cmm_scan.policy import cli as policy_cli

    if options is None:
        return _scan_estate(args, console, config, formats, rules)
    Recorder.of(args, console)  # a bad --store fails now, not after a long scan
    setup = policy_cli.prepare(args, config)  # a bad baseline or responsibility file too
    snapshot = args.output_dir / "snapshot.jsonl.gz"
    summary = collect(options, rules, snapshot, console, extra_fact_types=setup.fact_types)
    console.note(f"wrote {snapshot}: {summary}")
    if summary.failed:
        console.note(summary.failed_line())
    if not summary.anything_read:
        # The reports still say "I don't know" for every question, so a pipeline reading them sees no level;
        # the run is kept out of the history, where it would read as a fall to 0.
        nothing = evaluate(snapshot, rules)
        policy_cli.apply(nothing, setup, [snapshot])
        _finish(nothing, args, console, config, formats, record=False)
        console.note("nothing could be read: check the credentials and the permissions (`cmm-scan permissions`)")
        return EXIT_NOTHING_READ
    assessment = evaluate(snapshot, rules)
    policy_cli.apply(assessment, setup, [snapshot])
    code = _finish(assessment, args, console, config, formats)
    from cmm_scan.demo import summary_table

    console.out(summary_table(assessment))
    return code


def _estate_store(args: argparse.Namespace, estate: Any) -> None:
    """The estate file's store and key, unless the command line names them."""
    if estate.spec.store and not args.store and not args.no_store:
        args.store = estate.spec.store
    if args.scope_key is None:
        args.scope_key = f"estate:{estate.spec.name}"


def _scan_estate(args: argparse.Namespace, console: Console, config: Config, formats: list[str], rules: list[Any]) -> int:
    """`scan --estate FILE`: every part (or shard i/n of each), then, unsharded, one assessment of them all."""
    from cmm_scan.engine import evaluate
    from cmm_scan.estate_run import collect_parts, part_snapshots
    from cmm_scan.estatefile import load_estate
    from cmm_scan.flags import COMMON_FLAGS
    from cmm_scan.history_cli import Recorder
    from cmm_scan.policy import cli as policy_cli

    given = [f.name for f in COMMON_FLAGS if f.dest != "shard" and hasattr(args, _dest(f))]
    flags = any(hasattr(args, _dest(f)) for p in SCANNABLE for f in _provider_flags(p))
    if args.provider or given or getattr(args, "paths", None) or flags:
        raise UserError("with --estate, the clouds and their options come from the file", "drop the provider and its options, or --estate")
    estate = load_estate(args.estate)
    shard = parse_shard(args.flag_shard) if hasattr(args, "flag_shard") else None
    if not shard:
        _estate_store(args, estate)
        Recorder.of(args, console)  # a bad --store fails now, not after a long scan
    summaries = collect_parts(estate, rules, console, shard)
    if not any(s.anything_read for s in summaries):
        console.note("nothing could be read: check the credentials and the permissions (`cmm-scan permissions`)")
        return EXIT_NOTHING_READ
    if shard:
        console.note(f"shard {shard[0]}/{shard[1]} of every part collected; once all are in: cmm-scan score --estate {args.estate}")
        return EXIT_OK
    args.snapshot_paths = part_snapshots(estate)
    setup = policy_cli.prepare(args, config)
    assessment = evaluate(args.snapshot_paths, rules)
    policy_cli.apply(assessment, setup, args.snapshot_paths)
    return _finish(assessment, args, console, config, formats)


def _provider_flags(provider: str) -> Sequence[Flag]:
    from cmm_scan.options import module_of

    return module_of(provider).FLAGS


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.config import load_config
    from cmm_scan.demo import demo_snapshots, summary_table
    from cmm_scan.engine import evaluate
    from cmm_scan.history_cli import Recorder

    config = load_config(args.config)
    formats = _formats(args, DEMO_FORMATS)
    from cmm_scan.policy import cli as policy_cli

    Recorder.of(args, console)
    rules = _selected_rules(args, config)
    setup = policy_cli.prepare(args, config)
    args.snapshot_paths = demo_snapshots()
    assessment = evaluate(args.snapshot_paths, rules)
    policy_cli.apply(assessment, setup, args.snapshot_paths)
    code = _finish(assessment, args, console, config, formats)
    console.out(summary_table(assessment))
    official = " or load cmm-assessment.json into the official tool" if "cmm" in formats and assessment.for_framework("cmm") else ""
    console.out(f"\nReports in {args.output_dir}/ — open {_first_report(formats)}{official}.")
    return code


def _first_report(formats: list[str]) -> str:
    from cmm_scan.outputs import FILENAMES

    return next((FILENAMES[f] for f in ("md", "html", "json", "csv") if f in formats), "the reports")


def _baseline_fact_types(args: argparse.Namespace) -> set[str]:
    from cmm_scan.policy.load import load_baseline

    return load_baseline(args.baseline).fact_types if getattr(args, "baseline", None) else set()


def cmd_rules(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan import rules_cli

    return rules_cli.run(args, console)


def cmd_permissions(args: argparse.Namespace, console: Console) -> int:
    from cmm_scan.collect import permissions_document

    rules = _selected_rules(args)
    console.out(permissions_document(args.provider, rules, _baseline_fact_types(args)))
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

# Output options, checked before any work (a scan finds a bad --output-dir before collecting, not after).
OUTPUT_DIRS = (("output_dir", "--output-dir"),)
OUTPUT_FILES = (("output", "--output"), ("snapshot_out", "--snapshot-out"))


def _check_outputs(args: argparse.Namespace) -> None:
    from cmm_scan.outpaths import check_output_dir, check_output_file

    for attr, option in OUTPUT_DIRS:
        if getattr(args, attr, None) is not None:
            check_output_dir(getattr(args, attr), option)
    for attr, option in OUTPUT_FILES:
        if isinstance(getattr(args, attr, None), Path):  # not a storage URL: that is checked by its upload
            check_output_file(getattr(args, attr), option)


def _snapshot_target(value: str) -> Path | str:
    """A local path, or a storage URL kept as text (a Path would fold its '//')."""
    from cmm_scan.storage import StorageUrl, is_url

    if is_url(value):
        StorageUrl.parse(value)  # a malformed URL is one line now, not after collecting
        return value
    return Path(value)


def _out_dir(value: str) -> Path:
    """`--output-dir ""` would quietly mean the current directory: refuse it (see `main`)."""
    if not value.strip():
        raise UserError("--output-dir is empty", "name a directory, for example --output-dir cmm-report")
    return Path(value)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--version"]:  # answered before the parser is built: the cloud option groups import pydantic
        print(f"cmm-scan {__version__}")
        return EXIT_OK
    with terminated_as_interrupt():
        return _main(argv)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UserError as exc:  # raised by an option's own check (argparse passes other exceptions on)
        print(f"cmm-scan: error: {exc.line()}", file=sys.stderr)
        return exc.exit_code
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    console = Console(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))
    handler: Callable[[argparse.Namespace, Console], int] = args.handler
    try:
        _check_outputs(args)
        return handler(args, console)
    except UserError as exc:
        print(f"cmm-scan: error: {exc.line()}", file=sys.stderr)
        return exc.exit_code
    except Terminated:
        print("cmm-scan: terminated (SIGTERM); nothing half-written was kept", file=sys.stderr)
        return EXIT_TERMINATED
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
