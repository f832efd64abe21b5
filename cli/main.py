"""The ``graphkit`` command group: global options and error handling."""

from __future__ import annotations

from typing import Any

import click

from graphkit import __version__
from graphkit.errors import GraphkitError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class GraphkitGroup(click.Group):
    """A click group that turns graphkit errors into one-line ``Error: ...`` messages."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["graphkit.argv"] = list(args)  # the command line, for run manifests
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
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


def _one_line(message: str) -> str:
    return " ".join(message.split())


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


def _register() -> None:
    from cli.bench import bench
    from cli.brands import brands
    from cli.communities import communities_command
    from cli.experts import experts
    from cli.explain import explain_command, paths
    from cli.export import export_command
    from cli.imports import import_command
    from cli.rank import rank
    from cli.report import report

    cli.add_command(rank)
    cli.add_command(communities_command)
    cli.add_command(brands)
    cli.add_command(experts)
    cli.add_command(explain_command)
    cli.add_command(paths)
    cli.add_command(export_command)
    cli.add_command(report)
    cli.add_command(bench)
    cli.add_command(import_command)


_register()


def main() -> None:
    """Entry point of the ``graphkit`` console script."""
    cli(prog_name="graphkit")


if __name__ == "__main__":
    main()
