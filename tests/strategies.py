"""Hypothesis strategies for whole datasets in the shapes that break fast paths.

Every dataset is drawn from a small pool of account ids, so repeated rows, identity merges
that collapse two edges into one and merges that turn an edge into a self-loop come up all
the time, not once in a thousand examples. Ids include unicode, combining marks, control
characters and blanks inside the id; they stay valid for the readers (not blank, no NUL, CR
or LF; see ``graphkit.io.readers._id_column``). :func:`shapes` names what a dataset holds,
and ``tests/test_strategies.py`` asserts that each shape is frequent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pyarrow as pa
from hypothesis import strategies as st

from graphkit.graph import SocialGraph, Weighting, build_graph
from graphkit.io import Dataset
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS, TIMESTAMP_TYPE

ACCOUNT_IDS: Final = (
    "a",
    "b",
    "c",
    "d",
    "é",  # precomposed
    "e\u0301",  # the same letter with a combining accent: another id
    "中文",
    "😀",
    "a\x01",  # control characters the readers accept: distinct ids
    "a\x02",
    "\x1b[0m",
    "tab\tid",
    " lead",
    "trail ",
    "1",
    "01",
    "zero\u200bwidth",
    "long-account-identifier-0001",  # longer than 23 bytes, same first 23 bytes
    "long-account-identifier-0002",
)
ISOLATED_IDS: Final = ("iso", "iso-ü", "iso\x03")
PERSON_IDS: Final = ("person-1", "person-ß")
INTERACTION_TYPES: Final = tuple(name for name in DEFAULT_TYPE_WEIGHTS if name != "follow")
TITLES: Final = ("CTO", "Chief Data Officer", "Engineer", "Analyst", None)
TOPICS: Final = ("cloud", "security", "AI")

ZERO_WEIGHT: Final = 0.0
LARGE_WEIGHTS: Final = (1e300, 1e12)
# Subnormal out-weights: 1 / 5e-324 is inf.
SMALL_WEIGHTS: Final = (1e-300, 1e-12, 1e-310, 5e-324)
# Large enough that a product with a type weight or a sum of two records overflows.
OVERFLOW_WEIGHTS: Final = (1e308, 1.7e308)
EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)

record_weights = st.one_of(
    st.sampled_from(
        [1.0, 1.0, 2.0, 0.5, 3.0, ZERO_WEIGHT, ZERO_WEIGHT, *LARGE_WEIGHTS, *SMALL_WEIGHTS]
    ),
    st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False),
    st.none(),  # a missing weight counts 1
)
timestamps = st.one_of(
    st.none(),
    st.builds(
        lambda days, seconds: EPOCH + timedelta(days=days, seconds=seconds),
        st.integers(0, 400),
        st.sampled_from([0, 0, 1, 3600, 86399]),
    ),
)
weightings = st.builds(
    lambda half_life, as_of, changes, missing_time: Weighting(
        type_weights={**DEFAULT_TYPE_WEIGHTS, **changes},
        half_life=half_life,
        as_of=as_of,
        missing_time=missing_time,
    ),
    st.sampled_from([None, timedelta(hours=1), timedelta(days=1), timedelta(days=30)]),
    st.one_of(
        st.none(), st.sampled_from([EPOCH, EPOCH + timedelta(days=200), EPOCH - timedelta(days=10)])
    ),
    st.dictionaries(
        st.sampled_from(("follow", *INTERACTION_TYPES)),
        st.sampled_from([0.0, 1.0, 7.0, 1e6, 1e-6]),
        max_size=2,
    ),
    st.sampled_from(["no-decay", "no-decay", "drop", "error"]),
)


@dataclass(frozen=True)
class GeneratedData:
    """One generated dataset: Arrow tables as a reader returns them, and the weighting."""

    follows: pa.Table | None
    interactions: pa.Table | None
    accounts: pa.Table | None
    identities: pa.Table | None
    weighting: Weighting = field(default_factory=Weighting)
    undirected: bool = False

    def build(self) -> SocialGraph:
        """The graph graphkit builds of this dataset."""
        return build_graph(self.dataset(), self.weighting, undirected=self.undirected)

    def dataset(self) -> Dataset:
        """A fresh Dataset over the tables (build_graph may release them)."""
        return Dataset(
            accounts=self.accounts,
            follows=self.follows,
            interactions=self.interactions,
            identities=self.identities,
        )

    def rows(self, name: str) -> list[dict[str, Any]]:
        """The rows of one table as plain dicts (none when the table is absent)."""
        table = getattr(self, name)
        return [] if table is None else table.to_pylist()

    @property
    def n_records(self) -> int:
        """Follow and interaction records."""
        return sum(len(self.rows(name)) for name in ("follows", "interactions"))


def _repeated(draw: st.DrawFn, items: list[Any]) -> list[Any]:
    """``items`` with some of them repeated (exact duplicate rows), shuffled."""
    if not items:
        return items
    copies = draw(st.lists(st.sampled_from(items), max_size=3))
    return draw(st.permutations([*items, *copies]))


@st.composite
def generated_data(
    draw: st.DrawFn,
    *,
    nonempty: bool = True,
    interactions: bool = True,
    accounts: bool = True,
    identities: bool = True,
    follow_weights: bool | None = None,
    overflow: bool = False,
) -> GeneratedData:
    """A dataset in the awkward shapes: duplicates, self-loops, merges, extreme weights.

    Parameters
    ----------
    nonempty
        Hold at least one follow or interaction record (possibly a self-loop).
    interactions, accounts, identities
        Whether those tables may be drawn.
    follow_weights
        Force a ``weight`` column on follows (True), none (False), or draw it (None).
    overflow
        Also draw weights whose products and sums overflow float64.
    """
    pool = draw(st.lists(st.sampled_from(ACCOUNT_IDS), min_size=1, max_size=6, unique=True))
    ids = st.sampled_from(pool)
    weights = record_weights
    if overflow:
        weights = st.one_of(record_weights, st.sampled_from(OVERFLOW_WEIGHTS))

    pairs = _repeated(draw, draw(st.lists(st.tuples(ids, ids), max_size=10)))
    if draw(st.integers(0, 9)) == 0:
        pairs = []  # an empty follows table (or none) beside the interactions
    with_weight = draw(st.booleans()) if follow_weights is None else follow_weights
    follows = None
    if pairs or draw(st.booleans()):
        columns: dict[str, pa.Array] = {
            "follower": pa.array([a for a, _ in pairs], pa.string()),
            "followed": pa.array([b for _, b in pairs], pa.string()),
        }
        if with_weight:
            values = draw(st.lists(weights, min_size=len(pairs), max_size=len(pairs)))
            columns["weight"] = pa.array(values, pa.float64())
        follows = pa.table(columns)

    interaction_table = None
    if interactions and draw(st.integers(0, 2)):
        records = _repeated(
            draw,
            draw(
                st.lists(
                    st.tuples(ids, ids, st.sampled_from(INTERACTION_TYPES), weights, timestamps),
                    max_size=10,
                )
            ),
        )
        columns = {
            "source": pa.array([r[0] for r in records], pa.string()),
            "target": pa.array([r[1] for r in records], pa.string()),
            "type": pa.array([r[2] for r in records], pa.string()),
        }
        if draw(st.booleans()):
            columns["weight"] = pa.array([r[3] for r in records], pa.float64())
        if draw(st.integers(0, 3)):  # mostly with times, to exercise decay
            columns["timestamp"] = pa.array([r[4] for r in records], TIMESTAMP_TYPE)
        interaction_table = pa.table(columns)

    if nonempty and not pairs and (interaction_table is None or not interaction_table.num_rows):
        first, last = pool[0], pool[-1]  # one node (a self-loop) when the pool has one id
        follows = pa.table(
            {"follower": pa.array([first], pa.string()), "followed": pa.array([last], pa.string())}
        )
        if with_weight:
            follows = follows.append_column("weight", pa.array([draw(weights)], pa.float64()))

    account_table = None
    if accounts and draw(st.booleans()):
        account_ids = draw(
            st.lists(st.sampled_from([*pool, *ISOLATED_IDS]), min_size=1, max_size=8, unique=True)
        )
        size = len(account_ids)
        organization = st.one_of(st.none(), st.sampled_from([*pool, *ISOLATED_IDS]))
        account_table = pa.table(
            {
                "id": pa.array(account_ids, pa.string()),
                "kind": pa.array(
                    draw(st.lists(st.sampled_from(["person", "brand", None]), min_size=size,
                                  max_size=size)),
                    pa.string(),
                ),
                "organization": pa.array(
                    draw(st.lists(organization, min_size=size, max_size=size)), pa.string()
                ),
                "title": pa.array(
                    draw(st.lists(st.sampled_from(TITLES), min_size=size, max_size=size)),
                    pa.string(),
                ),
                "topics": pa.array(
                    draw(st.lists(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True),
                                  min_size=size, max_size=size)),
                    pa.list_(pa.string()),
                ),
            }
        )  # fmt: skip

    identity_table = None
    if identities and draw(st.integers(0, 2)):
        merged = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        # Mostly onto another account of the pool: that collapses edges and makes self-loops.
        persons = [draw(st.sampled_from([*pool, *pool, *PERSON_IDS])) for _ in merged]
        mapping = _repeated(draw, list(zip(merged, persons, strict=True)))
        identity_table = pa.table(
            {
                "account": pa.array([account for account, _ in mapping], pa.string()),
                "person": pa.array([person for _, person in mapping], pa.string()),
            }
        )

    return GeneratedData(
        follows=follows,
        interactions=interaction_table,
        accounts=account_table,
        identities=identity_table,
        weighting=draw(weightings),
        undirected=draw(st.integers(0, 4)) == 0,
    )


def _merged(data: GeneratedData) -> dict[str, str]:
    return {row["account"]: row["person"] for row in data.rows("identities")}


def shapes(data: GeneratedData) -> set[str]:
    """The awkward shapes a dataset holds, by name (for counting how often they are drawn)."""
    found: set[str] = set()
    person = _merged(data)

    def merge(account: str) -> str:
        return person.get(account, account)

    follows = [(row["follower"], row["followed"]) for row in data.rows("follows")]
    interactions = [(row["source"], row["target"]) for row in data.rows("interactions")]
    if len(follows) != len(set(follows)):
        found.add("duplicate follows")
    if data.follows is not None and "weight" in data.follows.column_names:
        if len(follows) != len(set(follows)):
            found.add("duplicate weighted follows")
    elif len(follows) != len(set(follows)):
        found.add("duplicate unweighted follows")
    if len(interactions) != len(set(interactions)):
        found.add("duplicate interactions")
    raw = follows + interactions
    if any(a == b for a, b in raw):
        found.add("self-loop")
    merged = [(merge(a), merge(b)) for a, b in raw]
    if len(set(merged)) < len(set(raw)):
        found.add("merge collapses edges")
    if any(a != b and merge(a) == merge(b) for a, b in raw):
        found.add("merge makes self-loop")
    if follows and interactions:
        found.add("mixed follows and interactions")
    if data.follows is not None and data.follows.num_rows == 0:
        found.add("empty follows table")
    if data.interactions is not None and data.interactions.num_rows == 0:
        found.add("empty interactions table")
    nodes = {merge(a) for a, _ in raw} | {merge(b) for _, b in raw}
    if data.accounts is not None:
        account_ids = {merge(i) for i in data.accounts.column("id").to_pylist()}
        if account_ids - nodes:
            found.add("isolated account")
        nodes |= account_ids
    if len(nodes) == 1:
        found.add("one node")
    if len(nodes) == 2:
        found.add("two nodes")
    givers = {a for a, b in merged if a != b}
    if nodes - givers:
        found.add("dangling account")
    weights = [
        row.get("weight")
        for name in ("follows", "interactions")
        for row in data.rows(name)
        if row.get("weight") is not None
    ]
    if any(weight == 0 for weight in weights):
        found.add("zero weight")
    if any(weight >= 1e12 for weight in weights):
        found.add("very large weight")
    if any(0 < weight <= 1e-12 for weight in weights):
        found.add("very small weight")
    times = [row.get("timestamp") for row in data.rows("interactions")]
    if any(time is not None for time in times):
        found.add("timestamps")
        if data.weighting.half_life is not None:
            found.add("timestamps with decay")
        if any(time is None for time in times):
            found.add("missing timestamps")
    every_id = nodes | {a for pair in raw for a in pair}
    if any(any(ord(char) > 127 for char in account) for account in every_id):
        found.add("unicode id")
    if any(any(ord(char) < 32 or ord(char) == 127 for char in account) for account in every_id):
        found.add("control character id")
    return found


def count_shapes(samples: list[GeneratedData]) -> Counter[str]:
    """How many of ``samples`` hold each shape."""
    counts: Counter[str] = Counter()
    for sample in samples:
        counts.update(shapes(sample))
    return counts
