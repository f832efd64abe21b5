"""The ``graphkit`` command group: global options and error handling."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
from typing import IO, Any

import click
import numpy as np

from graphkit import __version__
from graphkit.errors import GraphkitError, UsageError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT (cli/entry.py catches one during the imports)
_LONGEST_ERROR = 2_000  # characters of an error line, whatever a hostile input holds


class Interrupted(click.ClickException):
    """Ctrl-C (SIGINT): one line ``Interrupted`` on standard error, exit status 130.

    Outputs are written atomically, so an interrupted run leaves no file behind.
    """

    exit_code = INTERRUPTED_EXIT_CODE

    def __init__(self) -> None:
        super().__init__("Interrupted")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, file=file or sys.stderr)


class GraphkitGroup(click.Group):
    """A click group that turns graphkit errors into one-line ``Error: ...`` messages and
    imports each command's module only when the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module_name, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["graphkit.argv"] = list(args)  # the command line, for run manifests
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:  # options that do not go together: exit 2, as click's own
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.UsageError(_one_line(str(error))) from None
        except GraphkitError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(_one_line(str(error))) from None
        except MemoryError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(
                "out of memory; try a smaller input or fewer columns"
            ) from None
        except KeyboardInterrupt:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise Interrupted() from None
        except Exception as error:
            # A Ctrl-C that lands in a Python callback of compiled code (numba unpickling a
            # constant) comes back wrapped, as a SystemError caused by the KeyboardInterrupt.
            if _interrupted(error) and not (ctx.obj and ctx.obj.get("debug")):
                raise Interrupted() from None
            raise


def _interrupted(error: BaseException) -> bool:
    """Whether ``error`` was caused, directly or not, by a KeyboardInterrupt."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= _LONGEST_ERROR else line[:_LONGEST_ERROR] + "..."


@click.group(cls=GraphkitGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="graphkit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Who moves your audience? Rank influencers and subject-matter experts from the follower
    and interaction data your social platforms export.

    \b
    Examples:
      graphkit rank --demo
      graphkit rank data/ --top 50 -o influencers.csv
      graphkit rank --follows twitter_combined.txt --audience 'title~CTO|CIO'
      graphkit import x twitter-archive.zip linkedin linkedin-export.zip -o dataset/
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    from graphkit.export.manifest import run_time

    # Checked first: libraries loaded in the background read SOURCE_DATE_EPOCH too, and fail
    # on a value that is not an integer with a traceback.
    run_time()
    from graphkit.config import on_first_compile

    on_first_compile(lambda: _announce_compilation(ctx.invoked_subcommand))


def _announce_compilation(command: str | None) -> None:
    """Say once, on standard error, that this run compiles the kernels (unless ``-q``)."""
    from graphkit.config import first_compile_seconds

    progress = click.get_current_context(silent=True)
    reporter = progress.meta.get("graphkit.progress") if progress is not None else None
    message = (
        "compiling graphkit's kernels for this machine, once: "
        f"about {first_compile_seconds(command)} s"
    )
    if reporter is None:
        click.echo(message, err=True)
    else:
        reporter.note(message)


# Each command's module is imported only when that command runs (or help lists them all),
# so that `graphkit rank` does not pay for the imports of the report or the CRM exports.
COMMANDS = {
    "rank": "graphkit.cli.rank:rank",
    "communities": "graphkit.cli.communities:communities_command",
    "brands": "graphkit.cli.brands:brands",
    "experts": "graphkit.cli.experts:experts",
    "explain": "graphkit.cli.explain:explain_command",
    "paths": "graphkit.cli.explain:paths",
    "export": "graphkit.cli.export:export_command",
    "report": "graphkit.cli.report:report",
    "bench": "graphkit.cli.bench:bench",
    "import": "graphkit.cli.imports:import_command",
    "trend": "graphkit.cli.trend:trend",
    "compare": "graphkit.cli.compare:compare_command",
    "audience": "graphkit.cli.audience:audience",
    "lookalikes": "graphkit.cli.lookalikes:lookalikes",
    "audit": "graphkit.cli.audit:audit",
}


def _interrupt(signum: int, frame: Any) -> None:
    """Ctrl-C: raise KeyboardInterrupt, or, while a finalizer runs, 50 ms later.

    Python prints and drops an exception raised inside ``__del__`` (llvmlite frees numba's
    compiled code in finalizers), and the command would go on and write its output; so the
    interrupt waits on a timer (SIGALRM, same handler) until no finalizer is running.
    """
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        frame = frame.f_back
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``graphkit`` console script."""
    try:
        timers = hasattr(signal, "SIGALRM")  # not on Windows, where Python's handler stays
        if timers and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _interrupt)
            signal.signal(signal.SIGALRM, _interrupt)
        _ordinary_pages_for_fresh_memory()
        cli(prog_name="graphkit")
        status = 0
    except SystemExit as exit_request:
        status = _exit_status(exit_request.code)
    except KeyboardInterrupt:  # before or after a command runs
        Interrupted().show()
        status = INTERRUPTED_EXIT_CODE
    # Outputs are complete (written atomically) and the streams are flushed here; tearing down
    # the interpreter's large arrays one by one cost 0.25-0.4 s at 10M edges, so the process
    # leaves at once and the kernel frees its memory in bulk.
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        status = status or 1
    with contextlib.suppress(BrokenPipeError, ValueError):
        sys.stderr.flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _ordinary_pages_for_fresh_memory() -> None:
    """Let numpy's large arrays use ordinary pages, unless NUMPY_MADVISE_HUGEPAGE says otherwise.

    A run allocates about a gigabyte of fresh arrays per 10M edges. Where the kernel has to
    compact memory to hand out transparent huge pages (common once the page cache holds the
    input files), first touching them cost up to five times more than ordinary pages (2.97 s
    against 0.55 s per GiB measured here) and was most of a run's system time.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    setter = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if setter is not None:
        setter(False)


if __name__ == "__main__":
    main()
