"""Engine options: where a command computes (this process or Apache Spark)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from graphkit.cli.options import ENGINES, _collect, _stack


@dataclass(frozen=True)
class EngineChoice:
    """Where a command computes: this process, or Spark (with its settings)."""

    name: str
    spark_master: str | None = None
    spark_remote: str | None = None
    spark_checkpoint_dir: str | None = None
    spark_conf: tuple[str, ...] = ()

    @property
    def spark_settings(self) -> dict[str, str]:
        """The --spark-conf settings as a mapping."""
        settings = {}
        for item in self.spark_conf:
            key, _, value = item.partition("=")
            settings[key.strip()] = value.strip()
        return settings


def _engine_choice(**options: Any) -> EngineChoice:
    choice = EngineChoice(
        name=options["engine"],
        spark_master=options["spark_master"],
        spark_remote=options["spark_remote"],
        spark_checkpoint_dir=options["spark_checkpoint_dir"],
        spark_conf=tuple(options["spark_conf"]),
    )
    given = [
        f"--{name.replace('_', '-')}"
        for name in ("spark_master", "spark_remote", "spark_checkpoint_dir", "spark_conf")
        if options[name]
    ]
    if choice.name != "spark" and given:
        raise click.UsageError(f"{given[0]} needs --engine spark")
    if choice.spark_master and choice.spark_remote:
        raise click.UsageError("give --spark-master or --spark-remote, not both")
    for item in choice.spark_conf:
        if "=" not in item or not item.partition("=")[0].strip():
            raise click.UsageError(f"bad --spark-conf {item!r}: expected KEY=VALUE")
    return choice


engine_options = _stack(
    click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="local: this process; spark: Apache Spark DataFrames, for graphs beyond one "
        "machine (pip install 'graphkit[spark]'); inputs and -o may then be URIs "
        "(s3a://, hdfs://, gs://...).",
    ),
    click.option(
        "--spark-master",
        metavar="URL",
        help="Spark master for --engine spark: local[*] (default, or spark-submit's), "
        "spark://host:7077, yarn, k8s://...",
    ),
    click.option(
        "--spark-remote",
        metavar="URL",
        help="Spark Connect server for --engine spark, e.g. sc://host:15002.",
    ),
    click.option(
        "--spark-checkpoint-dir",
        metavar="URI",
        help="Checkpoint iterations reliably here (storage every executor reaches); "
        "default: localCheckpoint on the executors.",
    ),
    click.option(
        "--spark-conf",
        multiple=True,
        metavar="KEY=VALUE",
        help="A Spark setting, e.g. spark.driver.memory=8g; repeat for more.",
    ),
    _collect(
        ("engine", "spark_master", "spark_remote", "spark_checkpoint_dir", "spark_conf"),
        "engine",
        _engine_choice,
    ),
)
"""Engine options, handed to the command as ``engine: EngineChoice``."""
