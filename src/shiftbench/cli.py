"""The ``shiftbench`` command line (docs/contract.md): run, report, compare, shift, datasets,
models.

Bad usage, a bad config or bad input data print one line, ``shiftbench: error: ...``, and exit
with code 2; a run whose cells partly failed exits with 3 after writing everything it computed.

The progress of ``shiftbench run`` is :class:`shiftbench.progress.ProgressDisplay`.
"""

from __future__ import annotations

import argparse
import math
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from shiftbench.errors import InputError
from shiftbench.progress import ProgressDisplay

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_CELLS, EXIT_BUG = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shiftbench",
        description="Benchmark classical and neural forecasters and catch the LSTM right shift.",
    )
    from shiftbench._version import __version__
    from shiftbench.executor_names import executor_names

    parser.add_argument("--version", action="version", version=f"shiftbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the benchmark grid and write a run directory")
    run.add_argument("--config", help="TOML config file (see examples/default.toml)")
    run.add_argument("--datasets", type=_list, help="comma-separated dataset names")
    run.add_argument("--models", type=_list, help="comma-separated model names")
    run.add_argument("--seeds", help="seeds for seeded models: a list 0,1,2 or a count N")
    run.add_argument("--out", help="parent directory of the run directory (default: runs)")
    run.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    run.add_argument("--no-cache", action="store_true", help="ignore the cell cache")
    run.add_argument("--rerun", type=_list, help="recompute these models' cells (comma list)")
    run.add_argument("--cache-dir", help="cell cache folder (default: ~/.cache/shiftbench)")
    run.add_argument("--executor", choices=executor_names(), help="where cells run")
    run.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    run.add_argument(
        "--timeout",
        type=float,
        help="seconds a cell may run before it is stopped and recorded as timed out",
    )
    csv = run.add_argument_group("your own data")
    csv.add_argument("--dataset-file", help="a CSV file to benchmark")
    csv.add_argument("--target", help="the column to forecast")
    csv.add_argument("--date", help="the column of dates (optional)")
    csv.add_argument("--id", help="a long file of many series: the column naming each series")
    csv.add_argument("--exog", type=_list, default=[], help="observed covariate columns")
    csv.add_argument(
        "--known-ahead",
        type=_list,
        default=[],
        help="covariate columns known ahead (calendar variables)",
    )
    csv.add_argument("--test-size", type=float, help="test points (>= 1) or share (< 1)")
    csv.add_argument(
        "--season-length",
        type=int,
        help="seasonal period (default: from the dates' frequency, 12 monthly, 7 daily; else 1)",
    )

    shift = sub.add_parser("shift", help="right-shift verdict for a forecast file (y, y_hat)")
    shift.add_argument("file", help="CSV with columns y and y_hat (and optionally ds)")
    shift.add_argument("--max-lag", type=int, default=5, help="largest delay examined (5)")
    shift.add_argument("--alpha", type=float, default=0.05, help="level of the DM test (0.05)")

    report = sub.add_parser("report", help="render (again) the reports of a run directory")
    report.add_argument("run_dir", help="a run directory written by shiftbench run")

    compare = sub.add_parser("compare", help="regression report between two runs, with gates")
    compare.add_argument("base_run", help="the base run directory")
    compare.add_argument("new_run", help="the new run directory")
    compare.add_argument("--fail-on", help='gates, e.g. "mse:5%%,mase:0.02,verdict"')
    compare.add_argument("--out", help="folder for compare.html and compare.md")
    compare.add_argument(
        "--allow-data-change",
        action="store_true",
        help="compare even when dataset checksums differ",
    )
    compare.add_argument(
        "--allow-missing",
        action="store_true",
        help="do not fail the gates for cells that the new run lacks",
    )

    cache = sub.add_parser("cache", help="the cell cache: entries by code fingerprint, pruning")
    cache_sub = cache.add_subparsers(dest="cache_command", required=True, parser_class=_Parser)
    for name, text in (
        ("info", "entries and size by code fingerprint, and which are stale"),
        ("prune", "remove the entries that the installed code would not produce"),
    ):
        action = cache_sub.add_parser(name, help=text)
        action.add_argument("--cache-dir", help="cell cache folder (default: ~/.cache/shiftbench)")
        if name == "prune":
            action.add_argument(
                "--dry-run", action="store_true", help="say what would be removed, remove nothing"
            )

    sub.add_parser("datasets", help="list the datasets")
    sub.add_parser("models", help="list the models")
    return parser


def _csv_spec(args: argparse.Namespace) -> object:
    from shiftbench.config import CsvDataset

    if args.dataset_file is None:
        for flag, value in (
            ("--target", args.target),
            ("--date", args.date),
            ("--id", args.id),
            ("--exog", args.exog or None),
            ("--known-ahead", args.known_ahead or None),
            ("--test-size", args.test_size),
            ("--season-length", args.season_length),
        ):
            if value is not None:
                raise InputError(f"{flag} needs --dataset-file")
        return None
    if args.target is None:
        raise InputError("--dataset-file needs --target COLUMN")
    for flag, columns in (("--exog", args.exog), ("--known-ahead", args.known_ahead)):
        twice = next((c for i, c in enumerate(columns) if c in columns[:i]), None)
        if twice is not None:
            raise InputError(f"{flag}: column {twice!r} is given twice")
    season_length: int | None = args.season_length
    if season_length is not None and season_length < 1:
        raise InputError(f"--season-length must be at least 1, got {season_length}")
    test_size: int | float = 0.2
    if args.test_size is not None:
        if not math.isfinite(args.test_size) or args.test_size <= 0:
            raise InputError(f"--test-size must be a positive number, got {args.test_size}")
        if args.test_size >= 1 and not float(args.test_size).is_integer():
            raise InputError(
                f"--test-size: a count of test points must be whole, got {args.test_size}"
            )
        test_size = int(args.test_size) if args.test_size >= 1 else float(args.test_size)
    return CsvDataset(
        path=args.dataset_file,
        target=args.target,
        date=args.date,
        exog=tuple(args.exog) + tuple(args.known_ahead),
        known_ahead=tuple(args.known_ahead),
        test_size=test_size,
        season_length=season_length,
        id=args.id,
    )


def cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from shiftbench.benchmarks.runner import cache_root, run_config
    from shiftbench.config import load_config, parse_seeds, with_overrides
    from shiftbench.reports.render import render_reports
    from shiftbench.store import figure_store

    config = load_config(args.config)
    csv = _csv_spec(args)
    config = with_overrides(
        config,
        datasets=tuple(args.datasets) if args.datasets is not None else None,
        models=tuple(args.models) if args.models is not None else None,
        seeds=parse_seeds(args.seeds, "--seeds") if args.seeds is not None else None,
        out=args.out,
        jobs=args.jobs,
        csv=(csv,) if csv is not None else None,
        keep_datasets=args.datasets is not None,
        use_cache=False if args.no_cache else None,
        rerun=tuple(args.rerun) if args.rerun else None,
        cache_dir=args.cache_dir,
        executor=args.executor,
        scheduler=args.scheduler,
        timeout=args.timeout,
    )
    display = ProgressDisplay()
    try:
        result = run_config(
            config,
            progress=display.finished,
            starting=display.starting,
            command=["shiftbench", *argv],
        )
    finally:
        display.close()
    render_reports(result.run, figure_store(cache_root(config)))
    for cell in result.failed:
        seed = "" if cell.seed is None else f" seed {cell.seed}"
        print(f"failed: {cell.dataset} / {cell.model}{seed}: {cell.error}", file=sys.stderr)
    print(result.path)
    return result.exit_code


def cmd_compare(args: argparse.Namespace) -> int:
    from shiftbench.reports.compare import compare_runs, render_comparison
    from shiftbench.rundir import load_run

    comparison = compare_runs(
        load_run(args.base_run),
        load_run(args.new_run),
        fail_on=args.fail_on,
        allow_data_change=args.allow_data_change,
        allow_missing=args.allow_missing,
    )
    out = render_comparison(comparison, args.out)
    for difference in comparison.code_changed:
        print(f"the code differs: {difference}")
    changed = comparison.verdicts["changed"].sum()
    print(
        f"{len(comparison.changes)} metric values compared, {changed} verdict change(s), "
        f"{len(comparison.only_base)} cell(s) only in base, {len(comparison.only_new)} only in new"
    )
    for result in comparison.gates:
        state = "held" if result.held else "CROSSED"
        print(f"gate {result.gate.text}: {state}")
        for crossing in result.crossings:
            print(f"  {crossing}")
    print(out)
    return EXIT_GATE if comparison.exit_code else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from shiftbench.benchmarks.cache import default_cache_dir
    from shiftbench.reports.render import render_reports
    from shiftbench.rundir import load_run
    from shiftbench.store import figure_store

    for path in render_reports(load_run(args.run_dir), figure_store(default_cache_dir())):
        print(path)
    return EXIT_OK


def cmd_shift(args: argparse.Namespace) -> int:
    from shiftbench.reports.shiftfile import shift_report

    if args.max_lag < 1:
        raise InputError(f"--max-lag must be at least 1, got {args.max_lag}")
    if not 0.0 < args.alpha < 1.0:
        raise InputError(f"--alpha must lie in (0, 1), got {args.alpha}")
    print(shift_report(args.file, max_lag=args.max_lag, alpha=args.alpha))
    return EXIT_OK


def cmd_cache(args: argparse.Namespace) -> int:
    from pathlib import Path

    from shiftbench.benchmarks.cache import Cache, default_cache_dir

    root = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    if not root.is_dir():
        print(f"{root}: no cache yet")
        return EXIT_OK
    cache = Cache(root, warn=lambda text: print(f"shiftbench: warning: {text}", file=sys.stderr))
    if args.cache_command == "prune":
        removed = cache.prune(dry_run=args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
        for f in removed:
            print(f"{verb} {f.kind}/{f.fingerprint}: {f.entries} entries, {_size(f.size_bytes)}")
        total = sum(f.size_bytes for f in removed)
        print(f"{root}: {verb} {len(removed)} stale fingerprint(s), {_size(total)}")
        return EXIT_OK
    rows = [("kind", "fingerprint", "entries", "size", "state")]
    folders = cache.info()
    for f in folders:
        state = "current" if f.stale is None else f"stale: {f.stale}"
        rows.append((f.kind, f.fingerprint, str(f.entries), _size(f.size_bytes), state))
    _print_table(rows)
    stale = [f for f in folders if f.stale is not None]
    print(
        f"{root}: {sum(f.entries for f in folders)} entries, "
        f"{_size(sum(f.size_bytes for f in folders))}; {len(stale)} stale fingerprint(s) "
        f"({_size(sum(f.size_bytes for f in stale))}) that `shiftbench cache prune` removes"
    )
    return EXIT_OK


def _size(n: int) -> str:
    """A size in bytes for people.

    >>> _size(512), _size(2048), _size(5 * 1024**2)
    ('512 B', '2.0 KiB', '5.0 MiB')
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def cmd_datasets() -> int:
    from shiftbench.datasets import dataset_names, load_dataset
    from shiftbench.seasonality import describe_frequency
    from shiftbench.types import Collection

    rows = [("name", "length", "frequency", "covariates", "default protocol", "source")]
    for name in dataset_names():
        ds = load_dataset(name)
        covariates = (
            ", ".join(
                [f"{c} (observed)" for c in ds.observed]
                + [f"{c} (known ahead)" for c in ds.known_ahead]
            )
            or "-"
        )
        length = f"{len(ds.members)} series" if isinstance(ds, Collection) else str(len(ds))
        rows.append(
            (
                name,
                length,
                describe_frequency(ds.frequency),
                covariates,
                ds.protocol.describe(),
                ds.source,
            )
        )
    _print_table(rows)
    return EXIT_OK


def cmd_models() -> int:
    from shiftbench.models import entry_point_models, get_model, model_names

    rows = [("name", "covariates", "variance", "seeded", "origin", "description")]
    broken = []
    for name in model_names():
        spec = get_model(name)
        try:
            caps = spec.capabilities
            summary = spec.describe()
        except InputError as exc:  # an entry point that cannot be loaded: said, and go on
            broken.append(f"{name} ({spec.origin}): {exc}")
            continue
        rows.append(
            (
                name,
                _yes(caps.covariates),
                _yes(caps.variance),
                _yes(caps.seeded),
                spec.origin,
                summary,
            )
        )
    _print_table(rows)
    problems = [*broken, *entry_point_models().problems]
    for problem in problems:
        print(f"not usable: {problem}")
    return EXIT_OK


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _print_table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        if args.command == "run":
            return cmd_run(args, args_list)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "shift":
            return cmd_shift(args)
        if args.command == "cache":
            return cmd_cache(args)
        if args.command == "datasets":
            return cmd_datasets()
        if args.command == "models":
            return cmd_models()
    except InputError as exc:
        print(f"shiftbench: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("shiftbench: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file or folder the command could not read or write
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"shiftbench: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:  # a bug: say so, with the traceback, and never exit 1 (a crossed gate)
        traceback.print_exc()
        print("shiftbench: internal error (please report it with the lines above)", file=sys.stderr)
        return EXIT_BUG
    parser.error(f"unknown command {args.command!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
