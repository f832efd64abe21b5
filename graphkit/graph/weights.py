"""Edge weighting of the influence graph: per-type weights and exponential time decay."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import ParameterError
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS

_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdwy]?)\s*$", re.IGNORECASE)
# Durations graphkit takes: shorter ones round to nothing, longer ones overflow a timedelta.
_MIN_DURATION_SECONDS: Final = 1e-3
_MAX_DURATION_SECONDS: Final = 10_000 * 365.25 * 86400.0
_UNIT_SECONDS: Final = {
    "": 86400.0,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 7 * 86400.0,
    "y": 365.25 * 86400.0,
}


MISSING_TIME_CHOICES: Final = ("no-decay", "drop", "error")


@dataclass(frozen=True)
class Weighting:
    """How records become edge weights.

    The weight of an edge ``u -> v`` is the sum over its records of
    ``type_weights[type] * record_weight * 0.5 ** (age / half_life)``, where ``record_weight``
    is the record's ``weight`` column (1 when absent) and ``age`` is measured back from
    ``as_of``. Follows do not decay: a follow is a standing relation, not an event.

    Attributes
    ----------
    type_weights
        Weight of one record of each type; ``follow`` weighs follows.
    half_life
        Half-life of interactions, or ``None`` for no decay.
    as_of
        Reference time for ages; ``None`` means the newest interaction timestamp in the data.
    missing_time
        What a half-life does to an interaction without a timestamp: ``"no-decay"`` (full
        weight), ``"drop"`` (left out) or ``"error"``.
    discount_suspicious
        Once the graph is built, weigh each edge ``u -> v`` by ``1 - suspicion[u]``, the
        suspicion of ``u`` as a fake follower, and drop the edges of accounts with a
        suspicion of 0.5 or more (:func:`graphkit.analysis.audit.discounted`).
    """

    type_weights: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_TYPE_WEIGHTS))
    )
    half_life: timedelta | None = None
    as_of: datetime | None = None
    missing_time: str = "no-decay"
    discount_suspicious: bool = False

    def __post_init__(self) -> None:
        if self.missing_time not in MISSING_TIME_CHOICES:
            raise ParameterError(
                f"missing-time must be one of {', '.join(MISSING_TIME_CHOICES)}, "
                f"got {self.missing_time!r}"
            )
        for name, weight in self.type_weights.items():
            if not np.isfinite(weight) or weight < 0:
                raise ParameterError(f"weight of {name!r} must be a finite number >= 0")
        if self.half_life is not None and self.half_life.total_seconds() <= 0:
            raise ParameterError("half-life must be positive")

    @property
    def known_types(self) -> tuple[str, ...]:
        """The record types these weights cover."""
        return tuple(self.type_weights)


def parse_type_weights(text: str, base: Mapping[str, float] | None = None) -> dict[str, float]:
    """Parse ``"repost=3,like=0.5"`` into weights, starting from ``base`` (default: the
    default type weights, :data:`graphkit.io.schema.DEFAULT_TYPE_WEIGHTS`).

    Examples
    --------
    >>> parse_type_weights("like=0,share=2")["share"]
    2.0
    """
    weights = dict(DEFAULT_TYPE_WEIGHTS if base is None else base)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = float("nan")
        if not sep or not name.strip() or not np.isfinite(weight) or weight < 0:
            raise ParameterError(
                f"bad weight {item!r}: expected TYPE=NUMBER with a number >= 0, e.g. repost=3"
            )
        weights[name.strip().lower()] = weight
    return weights


def parse_duration(text: str) -> timedelta:
    """Parse a duration such as ``30d``, ``12h``, ``2w``, ``1y`` (a bare number means days).

    Examples
    --------
    >>> parse_duration("2w")
    datetime.timedelta(days=14)
    """
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ParameterError(f"bad duration {text!r}: expected e.g. 30d, 12h, 2w or 1y")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if not _MIN_DURATION_SECONDS <= seconds <= _MAX_DURATION_SECONDS:
        raise ParameterError(
            f"bad duration {text!r}: expected between 1 millisecond and 10,000 years"
        )
    return timedelta(seconds=seconds)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 date or time (UTC when no offset is given)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ParameterError(
            f"bad time {text!r}: expected ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def type_weight_array(types: pa.ChunkedArray, type_weights: Mapping[str, float]) -> np.ndarray:
    """Return the float64 weight of each record's type (types were validated by the reader)."""
    encoded = pc.dictionary_encode(types).combine_chunks()
    per_value = np.array(
        [type_weights[value] for value in encoded.dictionary.to_pylist()], dtype=np.float64
    )
    weights: np.ndarray = per_value[encoded.indices.to_numpy(zero_copy_only=False)]
    return weights


def timestamp_micros(timestamps: pa.ChunkedArray) -> np.ndarray:
    """Microseconds since the epoch of each record as float64, NaN where the time is missing."""
    micros = timestamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
    return np.asarray(micros, dtype=np.float64)


def decay_factors(
    micros: np.ndarray, half_life: timedelta | None, as_of: datetime | None
) -> np.ndarray | None:
    """Return ``0.5 ** (age / half_life)`` per record (1 where the time is missing).

    ``micros`` are record times as from :func:`timestamp_micros`. Records newer than
    ``as_of`` count as age 0; without ``as_of`` ages count back from the newest record.
    Returns ``None`` when there is no decay.
    """
    if half_life is None:
        return None
    if as_of is None:
        reference = np.nanmax(micros) if np.isfinite(micros).any() else 0.0
    else:
        reference = as_of.timestamp() * 1e6
    age = np.clip(reference - micros, 0.0, None) / 1e6
    factors = np.exp2(-age / half_life.total_seconds())
    return np.where(np.isnan(factors), 1.0, factors)
