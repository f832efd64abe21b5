"""The settings of a run, in one typed object, and the TOML file they can come from."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.errors import InputError, ParameterError
from graphkit.graph import Weighting, parse_duration, parse_timestamp, parse_type_weights
from graphkit.io.files import CONFIG_BYTES, read_small_text
from graphkit.io.rules import check_pagerank_parameters
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS

ENGINES: Final = ("local", "spark")
CONFIG_KEYS: Final = ("weights", "half_life", "as_of", "missing_time")


@dataclass(frozen=True)
class Settings:
    """How a run weighs, ranks and computes; the CLI's options and Python callers both
    build one.

    Attributes
    ----------
    weighting
        Type weights, decay and what a missing time gets (:class:`graphkit.graph.Weighting`).
    damping, tolerance, max_iter
        PageRank settings: damping in [0, 1), L1 tolerance, iteration limit.
    threads
        Threads for the numeric kernels; 0 means all cores, ``None`` leaves the number as it
        is (all cores, unless set before).
    memory_check
        Estimate the memory a run needs from its input files before reading them, and stop
        when the machine has less available.
    engine
        ``"local"`` (this process) or ``"spark"``.

    Examples
    --------
    >>> Settings(damping=0.9).damping
    0.9
    >>> Settings(damping=1.0)
    Traceback (most recent call last):
    ...
    graphkit.errors.ParameterError: damping must be in [0, 1), got 1.0
    """

    weighting: Weighting = field(default_factory=Weighting)
    damping: float = DEFAULT_DAMPING
    tolerance: float = DEFAULT_TOLERANCE
    max_iter: int = DEFAULT_MAX_ITER
    threads: int | None = None
    memory_check: bool = True
    engine: str = "local"

    def __post_init__(self) -> None:
        check_pagerank_parameters(self.damping, self.tolerance, self.max_iter)
        if self.threads is not None and self.threads < 0:
            raise ParameterError(f"threads must be >= 0, got {self.threads}")
        if self.engine not in ENGINES:
            raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)


def read_config(path: str | Path) -> dict[str, Any]:
    """The settings of a TOML config file: ``[weights]``, ``half_life``, ``as_of``,
    ``missing_time``.

    Raises
    ------
    InputError
        For a missing, special, oversized or invalid file, or an unknown key.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("config file not found", path=path)
    text = read_small_text(path, limit=CONFIG_BYTES, what="config file")
    try:
        settings = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"invalid TOML ({error})", path=path) from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise InputError("invalid TOML (nested too deeply)", path=path) from None
    unknown = sorted(set(settings) - set(CONFIG_KEYS))
    if unknown:
        raise InputError(
            f"unknown setting {unknown[0]!r}; a config file holds {', '.join(CONFIG_KEYS)}",
            path=path,
        )
    if not isinstance(settings.get("weights", {}), dict):
        raise InputError("'weights' must be a table ([weights] type = number)", path=path)
    return settings


def make_weighting(
    weights: str | None = None,
    half_life: str | None = None,
    as_of: str | None = None,
    missing_time: str | None = None,
    *,
    config: dict[str, Any] | None = None,
    discount_suspicious: bool = False,
) -> Weighting:
    """A :class:`Weighting` from option texts (``"like=0,repost=4"``, ``"30d"``, ISO time)
    over a config file's settings (options win); ``discount_suspicious`` down-weighs the
    edges of suspected fake followers.

    >>> make_weighting("repost=4", "30d").type_weights["repost"]
    4.0
    """
    settings = config or {}
    base = dict(DEFAULT_TYPE_WEIGHTS)
    for name, value in dict(settings.get("weights", {})).items():
        base = parse_type_weights(f"{name}={value}", base)
    type_weights = parse_type_weights(weights or "", base)
    half_life_text = half_life or settings.get("half_life")
    as_of_text = as_of or settings.get("as_of")
    return Weighting(
        type_weights=type_weights,
        half_life=parse_duration(str(half_life_text)) if half_life_text else None,
        as_of=parse_timestamp(str(as_of_text)) if as_of_text else None,
        missing_time=str(missing_time or settings.get("missing_time", "no-decay")),
        discount_suspicious=discount_suspicious,
    )
