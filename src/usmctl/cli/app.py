"""The command line: options -> Settings -> api -> reporter -> exit code.

The only module that prints, and the one error boundary: the user's input
becomes findings; the tool's own failures become one line and exit code 2.
"""

from __future__ import annotations

import copy
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from usmctl import __version__
from usmctl.core.errors import ExitCode, Terminated, UsageError, UsmctlError
from usmctl.core.findings import FAIL_ON, choice_list
from usmctl.output.formats import JUNIT_FLAVORS, Command, pick_junit_flavor, spoken

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.check.settings import CustomRule, Settings

app = typer.Typer(
    name="usmctl",
    help="Validate service-management architectures against the Unified Service "
    "Management (USM) method.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

T = TypeVar("T")
ProgressCallback = Callable[[int, int], None]


class _Process:
    """Whether this process ends after its command: set by the console
    script (`main`), never by a caller of the app (the tests, another
    program). Its runs leave their objects frozen for the collector
    (`usmctl.api.gc_paused`): the process exits before a collection would
    have much to free."""

    one_shot = False


PROGRESS_THRESHOLD = 200  # files: below this a run is quick enough to need no bar
DebugOption = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
FollowLinksOption = Annotated[
    bool,
    typer.Option(
        "--follow-links", help="Read file links that point outside the directories named."
    ),
]
ConfigOption = Annotated[Path | None, typer.Option(help="Config file to use.")]
CatalogueOption = Annotated[
    Path | None, typer.Option(help="Workflow catalogue to use instead of the built-in.")
]
ArchitecturePaths = Annotated[
    list[str] | None, typer.Argument(help="Files or directories (default: .).")
]


def _err(message: str) -> None:
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.core.findings import printable

    sys.stderr.write(_for_ci(f"usmctl: {printable(message)}\n"))
    sys.stderr.flush()


def _for_ci(text: str) -> str:
    """A GitHub runner reads workflow commands from stdout and stderr: no line
    of ours may be one that names or data in the repository made. Always, not
    only when GITHUB_ACTIONS is set: a container step or a wrapper script may
    not pass the variable on, and the runner reads their output all the same."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.output.findings.github import inert

    return inert(text)


def guarded(debug: bool, body: Callable[[], T]) -> T:
    """Run a command body: usage errors, internal errors and Ctrl-C become exit codes."""
    try:
        return body()
    except typer.Exit:
        raise
    except UsmctlError as error:
        _err(str(error))
        raise typer.Exit(ExitCode.USAGE) from None
    except KeyboardInterrupt:
        _err("interrupted")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except Terminated:
        _err("terminated")
        raise typer.Exit(ExitCode.TERMINATED) from None
    except BrokenPipeError:
        # A write outside `emit` met a reader that went away: nothing more to say.
        _stdout_to_devnull()
        raise typer.Exit(ExitCode.FINDINGS) from None
    except Exception as error:  # the one boundary for the tool's own bugs
        if debug:
            traceback.print_exc()
        summary = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        _err(f"internal error: {summary} (rerun with --debug)")
        raise typer.Exit(ExitCode.USAGE) from None


def _stdout_to_devnull() -> None:
    """Send what is left for stdout nowhere: its reader is gone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def emit(
    text: str,
    output: Path | None,
    *,
    protected: tuple[Path, ...] = (),
    commands: bool = False,
) -> None:
    """Write a command's payload to stdout or, atomically, to ``--output``.

    ``commands``: the payload is the github format's workflow commands (their
    values escaped as the runner expects); any other payload is made inert.
    A reader that stops reading (``usmctl validate | head -0``) does not change
    the run's exit code: the rest of the output goes nowhere.
    """
    if not commands:
        text = _for_ci(text)
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_to_devnull()
        return
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.core.writing import write_atomic

    write_atomic(output, text, protected=protected)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"usmctl {__version__}\n")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """usmctl: USM architecture linter."""


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files or directories (default: .); - reads standard input."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help=f"Output format: {spoken(Command.VALIDATE)} (default: text)."
        ),
    ] = "",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the output to FILE.")
    ] = None,
    junit_flavor: Annotated[
        str | None,
        typer.Option(
            help=f"With --format junit: {choice_list(JUNIT_FLAVORS)} (default: strict, valid "
            "against the Jenkins/Ant JUnit XSD; gitlab adds file and line to each test case)."
        ),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(help="Rules to check: codes, names or prefixes.")
    ] = None,
    extend_select: Annotated[
        list[str] | None, typer.Option(help="Rules to add to the selection.")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules not to check.")] = None,
    fail_on: Annotated[
        str | None, typer.Option(help=f"Lowest severity that fails: {'|'.join(FAIL_ON)}.")
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
    ] = False,
    config: ConfigOption = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Hide findings recorded in this baseline.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option(help="Record the current findings as a baseline.")
    ] = None,
    catalogue: CatalogueOption = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Count findings per rule.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not read or write the cache.")
    ] = False,
    stdin_filename: Annotated[
        str | None,
        typer.Option(
            help="File name to report for standard input; its architecture is read around it."
        ),
    ] = None,
    isolated: Annotated[
        bool,
        typer.Option(
            "--isolated",
            help="Check only the files given, not in the architecture they belong to.",
        ),
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Check again whenever a file changes (Ctrl-C stops).")
    ] = False,
    follow_links: FollowLinksOption = False,
    max_results: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="At most N findings in the sarif, github and markdown formats, the most "
            "severe kept (default 0: each service's own limit).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Processes that parse the files (default 0: one per core when there are "
            "many files; 1: no other process).",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Check an architecture and report findings.

    Files given (or standard input with --stdin-filename) are checked in the
    whole architecture they belong to: the files under the nearest folder
    above them holding usmctl.toml, a pyproject.toml with [tool.usmctl], or
    .git (else their own folder). Only the findings in the files given, or
    naming them, are reported. Directories are checked as they are.
    """

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.api import STDIN

        targets = paths or ["."]
        if not watch:
            return once(targets)
        if STDIN in targets:
            raise UsageError("--watch cannot read standard input again: name files or folders")
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.api import watch as changes_to
        from usmctl.check.config import find_config

        cwd = Path.cwd()
        changes = changes_to(
            targets, cwd=cwd, in_context=not isolated, config=config or find_config(cwd)
        )
        _clear_screen()
        once(targets)  # a usage error fails at once
        while True:  # until Ctrl-C: guarded() makes it exit code 130
            _err("watching for changes (Ctrl-C to stop)")
            next(changes)
            _clear_screen()
            try:
                once(targets)
            except UsmctlError as error:  # a config mistake while editing: say it, keep watching
                _err(str(error))

    def once(targets: list[str]) -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.api import STDIN, check, gc_paused
        from usmctl.check.config import CliOptions, build_settings, split_list
        from usmctl.output.findings import REPORTERS
        from usmctl.output.findings.options import ReportOptions
        from usmctl.output.formats import pick

        chosen = pick(Command.VALIDATE, output_format or "text")
        if fail_on is not None and fail_on not in FAIL_ON:
            raise UsageError(f"--fail-on takes {choice_list(FAIL_ON)}, not {fail_on!r}")
        flavor = pick_junit_flavor(junit_flavor, chosen)
        if max_results is not None and max_results < 0:
            raise UsageError(f"--max-results takes a number of at least 0, not {max_results}")
        if jobs is not None and jobs < 0:
            raise UsageError(f"--jobs takes a number of at least 0, not {jobs}")
        cwd = Path.cwd()
        options = CliOptions(
            select=split_list(select),
            extend_select=split_list(extend_select) or (),
            ignore=split_list(ignore) or (),
            fail_on=fail_on,
            catalogue=catalogue,
            config=config,
            baseline=baseline,
            no_cache=no_cache,
            max_results=max_results,
            jobs=jobs,
        )
        settings = _with_links(build_settings(options, cwd=cwd), follow_links)
        outputs = [target for target in (output, write_baseline) if target is not None]
        side_files = _side_files(settings, config, cwd) if outputs else ()
        if outputs:
            _check_outputs(outputs, side_files)
        stdin = None
        if STDIN in targets:  # one byte past the limit is enough to refuse (USM009)
            stdin = sys.stdin.buffer.read(settings.limits.max_file_bytes + 1)
        with gc_paused(freeze=_Process.one_shot and not watch):
            result = check(
                targets,
                settings,
                cwd=cwd,
                stdin=stdin,
                stdin_filename=stdin_filename,
                progress=progress_callback(),
                findings_only=True,
                in_context=not isolated,
            )
        inputs = (*side_files, *_inputs(result, cwd))
        for target in outputs:
            _refuse_tool_file(target, inputs)
        if write_baseline is not None:
            # start-up: each command imports what it runs; --version and --help import none of it
            from usmctl.check.baseline import write as write_baseline_file

            write_baseline_file(write_baseline, result, protected=inputs)
        color = (
            output is None
            and chosen.colour
            and sys.stdout.isatty()
            and not os.environ.get("NO_COLOR")
        )
        # In GitHub Actions the default run also annotates the PR diff.
        actions = not output_format and os.environ.get("GITHUB_ACTIONS") == "true"
        annotations = chosen.name == "github" or actions
        presentation = ReportOptions(
            color=color,
            statistics=statistics,
            quiet=quiet,
            junit_flavor=flavor,
            max_results=settings.max_results,
            step_summary=annotations and _step_summary(result, settings, config, inputs),
            source_root=settings.source_root,
            working_directory=cwd,
        )
        text = REPORTERS[chosen.name](result, presentation)
        emit(text, output, protected=inputs, commands=chosen.workflow_commands)
        if not result.files:
            _err(
                "warning: no architecture files found (*.usm.yaml, *.usm.yml, usm.yaml, "
                "*.workflow.json, *.workflow-template.json)"
            )
        if actions:  # the runner reads workflow commands from stdout only
            limits = ReportOptions(
                max_results=presentation.max_results, step_summary=presentation.step_summary
            )
            emit(REPORTERS["github"](result, limits), None, commands=True)
        if exit_zero or not result.fails(settings.fail_on):
            return ExitCode.OK
        return ExitCode.FINDINGS

    raise typer.Exit(guarded(debug, body))


def _clear_screen() -> None:
    """Clear the terminal (``--watch``), scrollback too; nothing on a pipe or file."""
    if sys.stdout.isatty():
        sys.stdout.write("\x1b[H\x1b[2J\x1b[3J")
        sys.stdout.flush()


def _step_summary(
    result: RunResult, settings: Settings, config: Path | None, inputs: tuple[Path, ...]
) -> bool:
    """Add the findings table to GitHub's job summary when the runner names
    its file (``GITHUB_STEP_SUMMARY``): the table the markdown format gives,
    within the 1 MiB GitHub takes for a step's summary, what the step wrote
    before counted. True when written; a file that cannot be written is a
    warning, not a failed run: the annotations and the exit code still hold."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.core.writing import appending
    from usmctl.output.findings.limits import STEP_SUMMARY_BYTES
    from usmctl.output.findings.markdown import step_summary

    name = os.environ.get("GITHUB_STEP_SUMMARY")
    if not name:
        return False
    protected = (*_side_files(settings, config, Path.cwd()), *inputs)
    try:
        with appending(Path(name), protected=protected, tree=settings.repository) as stream:
            before = os.fstat(stream.fileno()).st_size
            gap = b"\n" if before else b""
            budget = STEP_SUMMARY_BYTES - before - len(gap)
            text = step_summary(result, budget=budget, max_results=settings.max_results)
            if len(text.encode("utf-8")) > budget:
                raise UsageError(f'"{name}": no room left for the job summary')
            stream.write(gap + text.encode("utf-8"))
    except UsmctlError as error:
        _err(f"warning: job summary not written: {error}")
        return False
    return True


def _check_outputs(
    outputs: list[Path], side_files: tuple[Path, ...], force: bool = True, parents: bool = False
) -> None:
    """Refuse, before the run, outputs that name a side file the run reads
    (config, catalogue, baseline), that cannot be written, or that name one
    file twice (``--write-baseline x -o x``)."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.core.writing import check_output

    for target in outputs:
        check_output(target, force=force, protected=side_files, parents=parents)
    if len({os.path.realpath(target) for target in outputs}) < len(outputs):
        raise UsageError(f'--output and --write-baseline name the same file: "{outputs[0]}"')


def _refuse_tool_file(path: Path, inputs: tuple[Path, ...]) -> None:
    """``validate``'s --output and --write-baseline replace the tool's own
    earlier output, as ruff's --output-file does, but never an architecture
    file or a config file, even one this run did not read (``-o
    workflows.usm.yaml`` is a slip), nor through a link to one. An input is left
    to `write_atomic`, which refuses it in its own words."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.check.config import CONFIG_FILE, PYPROJECT
    from usmctl.core.writing import input_named_by
    from usmctl.load.loader import file_kind

    target = os.path.realpath(path)
    name = os.path.basename(target)
    if not os.path.exists(target) or input_named_by(path, inputs) is not None:
        return
    if file_kind(name) is not None:
        raise UsageError(f'refusing to overwrite an architecture file with output: "{path}"')
    if name in (CONFIG_FILE, PYPROJECT):
        raise UsageError(f'refusing to overwrite a config file with output: "{path}"')


def _side_files(settings: Settings, config: Path | None, cwd: Path) -> tuple[Path, ...]:
    """The files besides the architecture a run reads: config, catalogue, baseline."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.check.config import find_config

    found = config or find_config(cwd)
    files = (found, settings.catalogue, settings.baseline)
    return tuple(cwd / path for path in files if path is not None)


def _inputs(result: RunResult, cwd: Path) -> tuple[Path, ...]:
    """The architecture files the run read, as paths."""
    return tuple(cwd / name for name in (*result.files, *result.context))


def progress_callback(
    stream: TextIO | None = None, *, threshold: int = PROGRESS_THRESHOLD
) -> ProgressCallback:
    """A rich progress bar on stderr for runs that read more than ``threshold`` files.

    Silent when the stream is not a terminal; rich is imported only when a bar
    is actually shown.
    """
    target = sys.stderr if stream is None else stream
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total <= threshold or not target.isatty():
            return
        if "bar" not in state:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn("reading files"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(file=target, force_terminal=True),
                transient=True,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("read", total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done)
        if done >= total:
            bar.stop()

    return update


def _report_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day for reproducible reports.

    A value that is not a number of seconds (``abc``, ``²``, ``-1``) or is out
    of the calendar's range is ignored with a warning."""
    import datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch:
        try:
            if not (epoch.isascii() and epoch.isdigit()):
                raise ValueError(epoch)
            moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
            return moment.date().isoformat()
        except (ValueError, OverflowError, OSError):
            _err(f"warning: ignoring SOURCE_DATE_EPOCH {epoch[:40]!r}: not a date in range")
    return datetime.date.today().isoformat()


def _with_links(settings: Settings, follow_links: bool) -> Settings:
    """``--follow-links`` is a command-line choice only: config cannot set it."""
    import dataclasses

    return dataclasses.replace(settings, follow_links=follow_links)


def _architecture_run(
    paths: list[str] | None,
    config: Path | None,
    catalogue: Path | None,
    output: Path | None,
    force: bool,
    follow_links: bool = False,
) -> tuple[RunResult, tuple[Path, ...]]:
    """Check the architecture for `report` and `graph` (every rule selected);
    return the result and every file it read. An ``output`` that would be
    refused fails before the run, not after it."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.api import check, gc_paused
    from usmctl.check.config import CliOptions, build_settings

    cwd = Path.cwd()
    settings = _with_links(
        build_settings(CliOptions(catalogue=catalogue, config=config), cwd=cwd), follow_links
    )
    side_files = _side_files(settings, config, cwd)
    if output is not None:
        _check_outputs([output], side_files, force=force, parents=True)
    with gc_paused(freeze=_Process.one_shot):
        result = check(paths or ["."], settings, cwd=cwd, progress=progress_callback())
    return result, (*side_files, *_inputs(result, cwd))


def _file_or_stdout(output: Path | None) -> Path | None:
    """``-o -`` is standard output, as ``-`` is standard input among the paths
    (a file literally named ``-`` is written by its absolute path)."""
    return None if output is None or str(output) == "-" else output


def _deliver(
    text: str,
    target: Path | None,
    result: RunResult,
    *,
    force: bool,
    protected: tuple[Path, ...],
    say_stdout: bool,
    coverage: str | None = None,
) -> None:
    """Write a report or graph to ``target`` (missing folders made) or, with
    None, to stdout; then the one line that says so (for stdout only when
    ``say_stdout``: a graph on stdout is the usual pipe and says nothing)."""
    if target is None:
        emit(text, None)
        if not say_stdout:
            return
    else:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.core.writing import write_atomic

        write_atomic(target, text, force=force, protected=protected, parents=True)
    _wrote(target, result, coverage)


def _wrote(target: Path | None, result: RunResult, coverage: str | None = None) -> None:
    """The one line a successful `report` (with its ``coverage``) or `graph -o`
    says on stderr."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.core.findings import counted

    counts = result.by_severity()
    total = sum(counts.values())
    detail = ", ".join(counted(counts[word], word) for word in ("error", "warning", "info"))
    where = "the report to stdout" if target is None else str(target)
    covered = f"USM coverage {coverage}, " if coverage is not None else ""
    _err(f"wrote {where} ({covered}{counted(total, 'finding')}: {detail})")


@app.command()
def report(
    paths: ArchitecturePaths = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The report file: report.html or report.md (missing folders are created); "
            "- for stdout (with --format).",
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"{spoken(Command.REPORT)} (default: from the suffix)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing report file.")
    ] = False,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            metavar="PREVIOUS",
            help="Add 'Since the last report': resolved, new and remaining gaps, and the "
            "coverage gaps per provider, against an earlier validate --format json output or "
            "baseline file.",
        ),
    ] = None,
    config: ConfigOption = None,
    catalogue: CatalogueOption = None,
    follow_links: FollowLinksOption = False,
    debug: DebugOption = False,
) -> None:
    """Write the consultant's gap report (HTML or Markdown)."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.output.report import built_report, report_format

        if output is None:
            raise UsageError("report needs --output FILE (report.html or report.md)")
        chosen = report_format(output, output_format)
        target = _file_or_stdout(output)
        result, inputs = _architecture_run(paths, config, catalogue, target, force, follow_links)
        previous = None
        if compare is not None:
            # start-up: each command imports what it runs; --version and --help import none of it
            from usmctl.output.report.progress import load_previous

            repository = result.settings.repository if result.settings is not None else None
            previous = load_previous(compare, repository=repository)
        text, content = built_report(result, chosen, date=_report_date(), previous=previous)
        protected = inputs if compare is None else (*inputs, compare)
        overall = content.coverage.overall
        _deliver(
            text,
            target,
            result,
            force=force,
            protected=protected,
            say_stdout=True,
            coverage="n/a" if overall is None else f"{overall}%",
        )
        return ExitCode.OK

    raise typer.Exit(guarded(debug, body))


@app.command()
def graph(
    paths: ArchitecturePaths = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help=f"{spoken(Command.GRAPH)}.")
    ] = "dot",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the graph to FILE (missing folders are created); - or none: stdout.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing output file.")
    ] = False,
    config: ConfigOption = None,
    catalogue: CatalogueOption = None,
    follow_links: FollowLinksOption = False,
    debug: DebugOption = False,
) -> None:
    """Export the supply-chain graph (parties, services, dependencies)."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.output.report import graph_format, render_graph

        graph_format(output_format)
        target = _file_or_stdout(output)
        result, inputs = _architecture_run(paths, config, catalogue, target, force, follow_links)
        text = render_graph(result, output_format)
        _deliver(text, target, result, force=force, protected=inputs, say_stdout=False)
        return ExitCode.OK

    raise typer.Exit(guarded(debug, body))


@app.command()
def rules(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help=f"{spoken(Command.RULES)}.")
    ] = "text",
    config: ConfigOption = None,
) -> None:
    """List every rule with its code, name, severity and summary (the config's
    custom rules last, marked)."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.output.rule_docs import render_rules

        emit(render_rules(output_format, _custom_rules(config)), None)
        return ExitCode.OK

    raise typer.Exit(guarded(False, body))


@app.command()
def explain(
    code: Annotated[str, typer.Argument(help="A rule code or name.")],
    config: ConfigOption = None,
) -> None:
    """Explain a rule: summary, rationale, remediation and examples (a custom rule:
    what it checks)."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.output.rule_docs import render_explain

        emit(render_explain(code, _custom_rules(config)), None)
        return ExitCode.OK

    raise typer.Exit(guarded(False, body))


def _custom_rules(config: Path | None) -> tuple[CustomRule, ...]:
    """The custom rules of the config (found from the working directory, or named)."""
    # start-up: each command imports what it runs; --version and --help import none of it
    from usmctl.check.config import CliOptions, build_settings

    return build_settings(CliOptions(config=config), cwd=Path.cwd()).custom_rules


@app.command()
def schema() -> None:
    """Print the JSON Schema of architecture files."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.model.schema import render

        emit(render(), None)
        return ExitCode.OK

    raise typer.Exit(guarded(False, body))


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to write the pilot architecture (created if missing).")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing pilot files.")] = False,
) -> None:
    """Write a small pilot architecture that validates clean."""

    def body() -> int:
        # start-up: each command imports what it runs; --version and --help import none of it
        from usmctl.output.scaffold import init as write_pilot

        written = write_pilot(directory, force=force)
        lines = [f"wrote {path}\n" for path in written]
        emit("".join(lines) + f"next: usmctl validate {directory}\n", None)
        return ExitCode.OK

    raise typer.Exit(guarded(False, body))


@app.command()
def server(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk over standard input and output (the default).")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Run the language server (LSP) for editors, over standard input and output."""

    def body() -> int:
        # start-up: pygls and the whole engine, for this command only
        from usmctl.server.app import serve

        serve()
        return ExitCode.OK

    raise typer.Exit(guarded(debug, body))


def _app_for(arguments: list[str]) -> typer.Typer:
    """The app that runs ``usmctl <arguments>``: for a command named first, one
    with only that command (typer builds every command's options from its
    signature on every run: 8 ms for all eight, the others never run); else
    the whole app (``--help``, ``--version``, a mistyped command's suggestion)."""
    named = [
        info
        for info in app.registered_commands
        if arguments and info.callback is not None and info.callback.__name__ == arguments[0]
    ]
    if len(named) != 1:
        return app
    alone = copy.copy(app)
    alone.registered_commands = named
    return alone


def main() -> None:
    """Console-script entry point."""
    _Process.one_shot = True
    try:
        _app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except Terminated:
        _err("terminated")
        sys.exit(ExitCode.TERMINATED)
