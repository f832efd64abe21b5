"""Slow, obviously-correct reference implementations the kernels are tested against."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np


def pagerank_reference(
    n: int,
    edges: list[tuple[int, int, float]],
    *,
    damping: float = 0.85,
    personalization: np.ndarray | None = None,
    iterations: int = 2000,
) -> np.ndarray:
    """PageRank by dense power iteration, straight from the definition.

    ``x' = d * (W^T x + dangling(x) * p) + (1 - d) * p`` where W is the row-normalised weight
    matrix, dangling nodes (no out-weight) spread their score by p, and p is the
    personalization (uniform when None). Duplicate edges add up; self-loops count as given.
    """
    teleport = (
        np.full(n, 1.0 / n) if personalization is None else personalization / personalization.sum()
    )
    weight = np.zeros((n, n))
    for source, target, value in edges:
        weight[source, target] += value
    out = weight.sum(axis=1)
    transition = np.divide(weight, out[:, None], out=np.zeros_like(weight), where=out[:, None] > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        dangling = scores[out == 0].sum()
        scores = damping * (transition.T @ scores + dangling * teleport) + (1 - damping) * teleport
    return scores


def distinct_followers_reference(edges: list[tuple[str, str]]) -> dict[str, int]:
    """Distinct followers of each followed account, ignoring self-follows."""
    followers: dict[str, set[str]] = defaultdict(set)
    for follower, followed in edges:
        if follower != followed:
            followers[followed].add(follower)
    return {account: len(accounts) for account, accounts in followers.items()}


_MASK64 = (1 << 64) - 1
_XXH_PRIME1 = 0x9E3779B185EBCA87
_XXH_PRIME2 = 0xC2B2AE3D27D4EB4F
_XXH_PRIME3 = 0x165667B19E3779F9
_XXH_PRIME4 = 0x85EBCA77C2B2AE63
_XXH_PRIME5 = 0x27D4EB2F165667C5


def _rotate_left(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK64


def xxhash64_longs(*values: int, seed: int = 42) -> int:
    """Spark's ``xxhash64`` of long columns: XXH64 of each value's 8 bytes, chained through
    the seed (42 first), as a signed 64-bit integer."""
    state = seed & _MASK64
    for value in values:
        word = value & _MASK64
        hashed = (state + _XXH_PRIME5 + 8) & _MASK64
        hashed ^= (_rotate_left((word * _XXH_PRIME2) & _MASK64, 31) * _XXH_PRIME1) & _MASK64
        hashed = (_rotate_left(hashed, 27) * _XXH_PRIME1 + _XXH_PRIME4) & _MASK64
        hashed ^= hashed >> 33
        hashed = (hashed * _XXH_PRIME2) & _MASK64
        hashed ^= hashed >> 29
        hashed = (hashed * _XXH_PRIME3) & _MASK64
        hashed ^= hashed >> 32
        state = hashed
    return state - (1 << 64) if state >> 63 else state


def synchronous_label_propagation_reference(
    edges: dict[tuple[str, str], float],
    ids: list[str],
    *,
    seed: int = 0,
    resolution: float = 1.0,
    max_iter: int = 100,
) -> dict[str, int]:
    """The Spark engine's label propagation, one node at a time in plain Python.

    ``edges`` are the directed edge weights (duplicates summed, no self-loops); ``ids`` every
    account. Nodes are numbered in id order and start in their own label; each iteration
    every node, from the labels at the start of the iteration, takes the label of largest
    gain ``w(v, c) - resolution * k_v * S_c / 2W`` (smallest label on ties) if it beats
    staying (``w(v, own) - resolution * k_v * (S_own - k_v) / 2W``); a lone node skips larger
    lone labels; a node that wanted to move last iteration moves only if
    ``xxhash64(seed, node, iteration)`` is odd. Returns the community of each id, numbered
    by size (largest first), ties by smallest member.
    """
    order = sorted(ids)
    number = {account: index for index, account in enumerate(order)}
    n = len(order)
    undirected: dict[tuple[int, int], float] = defaultdict(float)
    for (source, target), weight in edges.items():
        undirected[(number[source], number[target])] += weight
        undirected[(number[target], number[source])] += weight
    neighbours: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (u, v), weight in undirected.items():
        if weight > 0:
            neighbours[u].append((v, weight))
    strength = [sum(weight for _, weight in neighbours[u]) for u in range(n)]
    two_w = sum(strength)
    penalty = resolution / two_w if two_w > 0 else 0.0
    labels = list(range(n))
    wanted = [False] * n
    for iteration in range(1, max_iter + 1 if two_w > 0 else 1):
        label_strength: dict[int, float] = defaultdict(float)
        label_size: dict[int, int] = defaultdict(int)
        for node in range(n):
            label_strength[labels[node]] += strength[node]
            label_size[labels[node]] += 1
        new_labels = labels[:]
        new_wanted = [False] * n
        for node in range(n):
            toward: dict[int, float] = defaultdict(float)
            for neighbour, weight in neighbours[node]:
                toward[labels[neighbour]] += weight
            current = labels[node]
            scale = penalty * strength[node]
            stay = toward.get(current, 0.0) - scale * (label_strength[current] - strength[node])
            best: tuple[float, int] | None = None
            for label, weight in toward.items():
                if label == current:
                    continue
                if label_size[current] == 1 and label > current and label_size[label] == 1:
                    continue
                candidate = (weight - scale * label_strength[label], -label)
                best = candidate if best is None or candidate > best else best
            wants = best is not None and best[0] > stay
            heads = xxhash64_longs(seed, node, iteration) & 1 == 1
            if best is not None and wants and (not wanted[node] or heads):
                new_labels[node] = -best[1]
            new_wanted[node] = wants
        labels, wanted = new_labels, new_wanted
        if not any(wanted):
            break
    members: dict[int, list[int]] = defaultdict(list)
    for node, label in enumerate(labels):
        members[label].append(node)
    ranked = sorted(members.values(), key=lambda group: (-len(group), min(group)))
    return {order[node]: index for index, group in enumerate(ranked) for node in group}


# The influence graph and what is computed on it, from raw rows with dicts and sets.

FOLLOW = 1
INTERACTION = 2


@dataclass
class ReferenceGraph:
    """The influence graph (README "What goes in") built from raw table rows with plain dicts.

    Attributes
    ----------
    nodes
        Every account id after identity merge: accounts rows and edge endpoints (including
        the endpoints of dropped self-loops).
    weights
        Summed weight of each edge ``(u, v)``, ``u != v``.
    flags
        Per edge, 1 if a follow record made it, 2 if an interaction did (or-ed).
    interactions_received, engagement_received
        Per account: interaction records received (by their weight column) and their
        type-weighted, decayed weight, self-loops left out.
    accounts
        The first accounts row of each merged id (with ``id`` replaced by the merged id).
    self_loops, records
        Self-loop records dropped, and all follow and interaction records.
    """

    nodes: set[str]
    weights: dict[tuple[str, str], float]
    flags: dict[tuple[str, str], int]
    interactions_received: dict[str, float]
    engagement_received: dict[str, float]
    accounts: dict[str, dict[str, Any]]
    self_loops: int
    records: int

    def out_weight(self) -> dict[str, float]:
        """Total weight each account gives (0 for dangling accounts)."""
        total = dict.fromkeys(self.nodes, 0.0)
        for (source, _), weight in self.weights.items():
            total[source] += weight
        return total

    def followers_of(self) -> dict[str, set[str]]:
        """The distinct followers (by follow records) of every account."""
        followers: dict[str, set[str]] = {node: set() for node in self.nodes}
        for (source, target), flag in self.flags.items():
            if flag & FOLLOW:
                followers[target].add(source)
        return followers

    def attention_of(self, flag: int = FOLLOW | INTERACTION) -> dict[str, set[str]]:
        """The accounts paying attention to every account: those with an edge of positive
        weight to it that a record of ``flag`` made (FOLLOW: its followers). An edge of
        weight 0 passes no PageRank, so it makes no follower nor audience member."""
        paying: dict[str, set[str]] = {node: set() for node in self.nodes}
        for (source, target), edge_flag in self.flags.items():
            if edge_flag & flag and self.weights[(source, target)] > 0:
                paying[target].add(source)
        return paying


def influence_graph_reference(
    follows: list[dict[str, Any]],
    interactions: list[dict[str, Any]],
    *,
    accounts: list[dict[str, Any]] | None = None,
    identities: list[dict[str, Any]] | None = None,
    type_weights: Mapping[str, float],
    half_life: timedelta | None = None,
    as_of: datetime | None = None,
    missing_time: str = "no-decay",
    undirected: bool = False,
) -> ReferenceGraph:
    """Build the influence graph record by record.

    Identities first (``account -> person``, applied once); then each follow weighs
    ``type_weights["follow"] * weight`` and each interaction ``type_weights[type] * weight *
    0.5 ** (age / half_life)`` (weight 1 when missing, no decay without a time or a
    half-life; ages from ``as_of``, else the newest interaction, never negative). With a
    half-life, an interaction without a time keeps its weight (``missing_time`` "no-decay")
    or is left out ("drop"); "error", or no interaction with a time at all, raises
    ``ValueError``. ``undirected`` reads each follow both ways. Records of one edge add up;
    self-loops are dropped and counted.
    """
    person: dict[str, str] = {}
    for row in identities or []:
        person.setdefault(row["account"], row["person"])

    def merge(account: str) -> str:
        return person.get(account, account)

    merged_accounts: dict[str, dict[str, Any]] = {}
    for row in accounts or []:
        merged_accounts.setdefault(merge(row["id"]), {**row, "id": merge(row["id"])})
    nodes = set(merged_accounts)

    def micros(moment: datetime) -> int:
        return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)

    times = [micros(row["timestamp"]) for row in interactions if row.get("timestamp")]
    newest = micros(as_of) if as_of is not None else max(times, default=0)
    if half_life is not None:
        untimed = len(interactions) - len(times)
        if not times or (untimed and missing_time == "error"):
            raise ValueError("a half-life needs interaction times")
    edges: list[tuple[str, str, float, int, float]] = []
    for row in follows:
        record_weight = 1.0 if row.get("weight") is None else row["weight"]
        pair = (merge(row["follower"]), merge(row["followed"]))
        for source, target in [pair, pair[::-1]] if undirected else [pair]:
            edges.append((source, target, type_weights["follow"] * record_weight, FOLLOW, 0.0))
    dropped: list[tuple[str, str]] = []
    for row in interactions:
        count = 1.0 if row.get("weight") is None else row["weight"]
        decay = 1.0
        if half_life is not None and row.get("timestamp") is None and missing_time == "drop":
            dropped.append((merge(row["source"]), merge(row["target"])))
            continue
        if half_life is not None and row.get("timestamp") is not None:
            age = max(newest - micros(row["timestamp"]), 0) / 1e6
            decay = 0.5 ** (age / half_life.total_seconds())
        edges.append(
            (merge(row["source"]), merge(row["target"]),
             type_weights[row["type"]] * count * decay, INTERACTION, count)
        )  # fmt: skip
    weights: dict[tuple[str, str], float] = {}
    flags: dict[tuple[str, str], int] = {}
    received: dict[str, float] = defaultdict(float)
    engagement: dict[str, float] = defaultdict(float)
    self_loops = 0
    for pair in dropped:
        nodes.update(pair)
        self_loops += pair[0] == pair[1]  # a self-loop whatever its time
    for source, target, weight, flag, count in edges:
        nodes.update((source, target))
        if source == target:
            self_loops += 1
            continue
        weights[(source, target)] = weights.get((source, target), 0.0) + weight
        flags[(source, target)] = flags.get((source, target), 0) | flag
        if flag == INTERACTION:
            received[target] += count
            engagement[target] += weight
    return ReferenceGraph(
        nodes=nodes,
        weights=weights,
        flags=flags,
        interactions_received=dict(received),
        engagement_received=dict(engagement),
        accounts=merged_accounts,
        self_loops=self_loops,
        records=len(edges) + len(dropped),
    )


def graph_pagerank_reference(
    graph: ReferenceGraph,
    *,
    damping: float = 0.85,
    personalization: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """PageRank of every account of a reference graph, by :func:`pagerank_reference`."""
    order = sorted(graph.nodes)
    number = {account: index for index, account in enumerate(order)}
    edges = [(number[u], number[v], weight) for (u, v), weight in graph.weights.items()]
    teleport = None
    if personalization is not None:
        teleport = np.array([personalization.get(account, 0.0) for account in order])
    scores = pagerank_reference(
        len(order), edges, damping=damping, personalization=teleport, iterations=3000
    )
    return dict(zip(order, scores.tolist(), strict=True))


def followers_reference(
    followers_of: Mapping[str, set[str]], accounts: Iterable[str], exclude: Iterable[str] = ()
) -> set[str]:
    """The distinct followers of any of ``accounts``, minus ``exclude``."""
    found: set[str] = set()
    for account in accounts:
        found |= followers_of[account]
    return found - set(exclude)


def two_hop_reference(followers_of: Mapping[str, set[str]], accounts: Iterable[str]) -> set[str]:
    """Accounts within two follow hops of ``accounts`` (followers and theirs), by BFS."""
    start = set(accounts)
    first = followers_reference(followers_of, start)
    second = followers_reference(followers_of, first)
    return (first | second) - start


def group_reach_reference(
    followers_of: Mapping[str, set[str]], corporate: list[str], people: list[str]
) -> tuple[int, int, int, list[int], list[int]]:
    """Corporate, personal, shared reach outside the group; each person's reach and unique
    reach (followers of nobody else in the group)."""
    members = set(corporate) | set(people)
    corporate_audience = followers_reference(followers_of, corporate, members)
    personal_audience = followers_reference(followers_of, people, members)
    member_reach = []
    member_unique = []
    for person in people:
        own = followers_reference(followers_of, [person], members)
        others = followers_reference(
            followers_of, [p for p in people if p != person] + corporate, members
        )
        member_reach.append(len(own))
        member_unique.append(len(own - others))
    return (
        len(corporate_audience),
        len(personal_audience),
        len(corporate_audience & personal_audience),
        member_reach,
        member_unique,
    )


def greedy_coverage_reference(
    followers_of: Mapping[str, set[str]],
    candidates: list[str],
    k: int,
    *,
    covered: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> tuple[list[str], list[int]]:
    """Plain greedy maximum coverage: each step recounts every candidate's gain and takes
    the largest (the earlier candidate on ties); stops when nobody adds anyone."""
    reached = set(covered)
    excluded = set(exclude)
    chosen: list[str] = []
    gains: list[int] = []
    while len(chosen) < k:
        best, best_gain = None, 0
        for candidate in candidates:
            if candidate in chosen:
                continue
            gain = len(followers_of[candidate] - reached - excluded)
            if gain > best_gain:
                best, best_gain = candidate, gain
        if best is None:
            break
        chosen.append(best)
        gains.append(best_gain)
        reached |= followers_of[best] - excluded
    return chosen, gains


def influence_paths_reference(
    graph: ReferenceGraph, source: str, target: str
) -> list[tuple[tuple[str, ...], float]]:
    """Every simple path from ``source`` to ``target`` along edges of positive weight, with
    its influence (product of ``w(u, v) / out_weight(u)``), best first."""
    out_weight = graph.out_weight()
    successors: dict[str, list[str]] = defaultdict(list)
    for (u, v), weight in graph.weights.items():
        if weight > 0:
            successors[u].append(v)
    paths: list[tuple[tuple[str, ...], float]] = []

    def walk(path: list[str], influence: float) -> None:
        here = path[-1]
        if here == target:
            paths.append((tuple(path), influence))
            return
        for following in successors[here]:
            if following not in path:
                share = graph.weights[(here, following)] / out_weight[here]
                walk([*path, following], influence * share)

    walk([source], 1.0)
    return sorted(paths, key=lambda item: -item[1])


def organizations_reference(graph: ReferenceGraph) -> dict[str, tuple[list[str], list[str]]]:
    """Each organization's corporate accounts (its brand account first, then brand accounts
    naming it, by id) and people (accounts naming it that are not brands, by id), keeping
    only accounts in the graph."""
    rows = list(graph.accounts.values())

    def is_brand(row: dict[str, Any]) -> bool:
        return (row.get("kind") or "").lower() == "brand"

    known = {
        row["id"] for row in rows if is_brand(row) and row.get("organization") in (None, row["id"])
    } | {row["organization"] for row in rows if row.get("organization") is not None}
    result = {}
    for org in sorted(known):
        named = sorted(
            (row for row in rows if row.get("organization") == org and row["id"] != org),
            key=lambda row: row["id"],
        )
        corporate = [org] if org in graph.nodes else []
        corporate += [row["id"] for row in named if is_brand(row)]
        people = [row["id"] for row in named if not is_brand(row)]
        result[org] = (corporate, people)
    return result


def without_account(graph: ReferenceGraph, account: str) -> ReferenceGraph:
    """The graph with one account and all its edges removed."""
    kept = {edge: weight for edge, weight in graph.weights.items() if account not in edge}
    return ReferenceGraph(
        nodes=graph.nodes - {account},
        weights=kept,
        flags={edge: graph.flags[edge] for edge in kept},
        interactions_received=graph.interactions_received,
        engagement_received=graph.engagement_received,
        accounts=graph.accounts,
        self_loops=graph.self_loops,
        records=graph.records,
    )


# Communities: the undirected projection, modularity and connectivity, by their definitions.


def undirected_weights_reference(
    weights: Mapping[tuple[str, str], float],
) -> dict[frozenset[str], float]:
    """The weighted undirected projection: ``w(u -> v) + w(v -> u)`` per pair joined either
    way, pairs of total weight 0 left out (``weights`` has no self-loops)."""
    pairs: dict[frozenset[str], float] = defaultdict(float)
    for (source, target), weight in weights.items():
        pairs[frozenset((source, target))] += weight
    return {pair: weight for pair, weight in pairs.items() if weight > 0}


def modularity_reference(
    nodes: Iterable[str],
    pairs: Mapping[frozenset[str], float],
    community_of: Mapping[str, int],
    resolution: float = 1.0,
) -> float:
    """Newman's weighted modularity, one pair at a time with Python floats: ``sum over c of
    W_c / W - resolution * (S_c / 2W)^2`` (``W`` all pair weight, ``W_c`` the weight of pairs
    inside ``c``, ``S_c`` the weighted degree of its nodes); NaN without weight."""
    total = 0.0
    for weight in pairs.values():
        total += weight
    if total == 0:
        return float("nan")
    inside: dict[int, float] = defaultdict(float)
    degree: dict[int, float] = {community_of[node]: 0.0 for node in nodes}
    for pair, weight in pairs.items():
        first, second = sorted(pair)
        degree[community_of[first]] += weight
        degree[community_of[second]] += weight
        if community_of[first] == community_of[second]:
            inside[community_of[first]] += weight
    # S_c / W / 2 rather than S_c / 2W: 2W overflows for weights near the float maximum.
    return sum(
        inside[community] / total - resolution * (degree[community] / total / 2.0) ** 2
        for community in degree
    )


def disconnected_communities_reference(
    pairs: Mapping[frozenset[str], float], community_of: Mapping[str, int]
) -> list[int]:
    """The communities whose members do not all reach each other through pairs inside the
    community, by a search from one member of each."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        first, second = sorted(pair)
        if community_of[first] == community_of[second]:
            neighbours[first].add(second)
            neighbours[second].add(first)
    members: dict[int, list[str]] = defaultdict(list)
    for node, community in community_of.items():
        members[community].append(node)
    broken = []
    for community, nodes in sorted(members.items()):
        reached = {nodes[0]}
        stack = [nodes[0]]
        while stack:
            for neighbour in neighbours[stack.pop()] - reached:
                reached.add(neighbour)
                stack.append(neighbour)
        if len(reached) != len(nodes):
            broken.append(community)
    return broken


def lookalikes_reference(
    followers_of: Mapping[str, set[str]],
    seeds: Iterable[str],
    *,
    min_shared: int = 1,
    min_followers: int = 1,
) -> list[tuple[str, float, int, int, float]]:
    """Every non-seed account with its Jaccard similarity to the seeds' joined audience, the
    followers they share, its followers and the overlap coefficient, by Python sets: most
    similar first, then most shared, ties by id."""
    seeds = set(seeds)
    audience: set[str] = set()
    for seed in seeds:
        audience |= followers_of[seed]
    rows = []
    for account, followers in followers_of.items():
        shared = len(followers & audience)
        if account in seeds or shared < min_shared or len(followers) < min_followers:
            continue
        similarity = shared / len(followers | audience)
        overlap = shared / min(len(followers), len(audience))
        rows.append((account, similarity, shared, len(followers), overlap))
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def audience_affinity_reference(
    attention_of: Mapping[str, set[str]], audience: set[str], *, min_support: int = 1
) -> list[tuple[str, int, float, int, float, float]]:
    """``(id, audience_followers, audience_share, base_followers, base_share, lift)`` of
    every account outside ``audience`` with at least ``min_support`` audience followers, by
    Python sets (``attention_of``: the accounts with an edge to each account). Shares count
    the active accounts (with any out-edge) of each population; lift counts zero base
    followers as one. Unsorted (by id)."""
    active = set().union(*attention_of.values()) if attention_of else set()
    audience_active = active & audience
    base_active = active - audience
    rows = []
    for account in sorted(attention_of):
        if account in audience:
            continue
        paying = attention_of[account]
        in_audience = len(paying & audience)
        in_base = len(paying - audience)
        if in_audience < min_support:
            continue
        audience_share = in_audience / len(audience_active)
        base_share = in_base / len(base_active)
        lift = audience_share / (max(in_base, 1) / len(base_active))
        rows.append((account, in_audience, audience_share, in_base, base_share, lift))
    return rows


def audience_interconnections_reference(
    weights: Mapping[tuple[str, str], float], audience: set[str]
) -> dict[frozenset[str], float]:
    """The weight between each pair of audience members, ``w(u, v) + w(v, u)`` (pairs of
    weight 0 left out)."""
    pairs: dict[frozenset[str], float] = defaultdict(float)
    for (source, target), weight in weights.items():
        if source in audience and target in audience:
            pairs[frozenset((source, target))] += weight
    return {pair: weight for pair, weight in pairs.items() if weight > 0}


def audience_co_attention_reference(
    attention_of: Mapping[str, set[str]], audience: set[str], *, max_shared: int
) -> dict[frozenset[str], float]:
    """Adamic-Adar weight between each pair of audience members: ``1 / log(k)`` summed over
    the accounts both pay attention to, ``k`` being the audience members paying attention to
    that account (``2 <= k <= max_shared``)."""
    pairs: dict[frozenset[str], float] = defaultdict(float)
    for paying in attention_of.values():
        members = sorted(paying & audience)
        if not 2 <= len(members) <= max_shared:
            continue
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                pairs[frozenset((first, second))] += 1.0 / float(np.log(len(members)))
    return dict(pairs)


def warm_paths_reference(
    weights: Mapping[tuple[str, str], float],
    out_weight: Mapping[str, float],
    colleagues: set[str],
    targets: Iterable[str],
    *,
    per_target: int = 3,
    max_hops: int = 3,
) -> dict[str, list[tuple[tuple[str, ...], float]]]:
    """Each target's ``per_target`` best warm paths, by enumerating every simple path of at
    most ``max_hops`` edges from it that ends at the first colleague it reaches.

    A path's strength is the product of ``w(u, v) / out_weight(u)`` along it, multiplied from
    the colleague's end back; paths of strength 0 are left out; best first by strength, then
    fewer hops, then the ids after the target. A target that is a colleague has none.
    """
    successors: dict[str, list[str]] = defaultdict(list)
    for source, target in weights:
        successors[source].append(target)

    def share(source: str, target: str) -> float:
        weight, total = weights[(source, target)], out_weight[source]
        return weight / total if weight > 0 and total > 0 else 0.0

    found: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for start in targets:
        paths: list[tuple[tuple[str, ...], float]] = []
        stack = [[start]] if start not in colleagues else []
        while stack:
            path = stack.pop()
            if len(path) > 1 and path[-1] in colleagues:
                strength = 1.0
                for hop in range(len(path) - 2, -1, -1):
                    strength = share(path[hop], path[hop + 1]) * strength
                if strength > 0:
                    paths.append((tuple(path), strength))
                continue
            if len(path) <= max_hops:
                stack.extend([*path, following] for following in successors[path[-1]]
                             if following not in path)  # fmt: skip
        paths.sort(key=lambda item: (-item[1], len(item[0]), item[0][1:]))
        found[start] = paths[:per_target]
    return found


def audit_reference(
    n_nodes: int,
    edges: Sequence[tuple[int, int, bool, bool]],
    ids: Sequence[str],
    *,
    trusted: set[int] | None = None,
    follow_times: Sequence[tuple[int, float]] = (),
) -> tuple[dict[str, list[float]], list[float]]:
    """The audit signals and suspicion of every node, by loops over the edges.

    ``edges`` are the distinct directed edges ``(u, v, is_follow, is_interaction)``;
    ``follow_times`` the ``(follower node, seconds)`` of each follow record with a time.
    Follows are the follow edges, or every edge when there are none.
    """
    from graphkit.analysis.audit import BIAS, SIGNALS, WEIGHTS

    if not any(is_follow for _, _, is_follow, _ in edges):
        edges = [(u, v, True, interaction) for u, v, _, interaction in edges]
    follows = {(u, v) for u, v, is_follow, _ in edges if is_follow}
    followers = [0] * n_nodes
    following = [0] * n_nodes
    reciprocated = [0] * n_nodes
    for u, v in follows:
        followers[v] += 1
        following[u] += 1
        if (v, u) in follows:
            reciprocated[u] += 1
    interacts = [False] * n_nodes
    for u, _, _, interaction in edges:
        if interaction:
            interacts[u] = True
    signals: dict[str, list[float]] = {name: [0.0] * n_nodes for name in SIGNALS}
    for node in range(n_nodes):
        signals["no_followers"][node] = 1.0 if followers[node] == 0 else 0.0
        if following[node] >= 20:
            ratio = following[node] / (10.0 * (followers[node] + 1))
            signals["mass_following"][node] = min(1.0, max(0.0, math.log10(ratio)))
        if following[node] >= 10:
            signals["unreciprocated"][node] = 1.0 - reciprocated[node] / following[node]
    following_some = [node for node in range(n_nodes) if following[node] > 0]
    if following_some and sum(interacts[node] for node in following_some) >= 0.1 * len(
        following_some
    ):
        for node in following_some:
            signals["never_interacts"][node] = 0.0 if interacts[node] else 1.0
    times_of: dict[int, list[float]] = defaultdict(list)
    for node, seconds in follow_times:
        if node >= 0 and math.isfinite(seconds):
            times_of[node].append(seconds)
    for node, times in times_of.items():
        times.sort()
        peak = max(sum(1 for other in times if start <= other <= start + 3600.0) for start in times)
        signals["burst"][node] = min(1.0, max(0.0, (peak - 5) / 15.0)) * peak / len(times)
    if trusted is None:
        interacting = [node for node in range(n_nodes) if interacts[node] and followers[node]]
        pool = interacting or [node for node in range(n_nodes) if followers[node]]
        pool.sort(key=lambda node: (-followers[node], ids[node]))
        trusted = set(pool[: math.ceil(math.sqrt(n_nodes))])
    out_degree = [0] * n_nodes
    in_degree = [0] * n_nodes
    for u, v, _, _ in edges:
        out_degree[u] += 1
        in_degree[v] += 1
    if trusted:
        seeds = [1.0 / len(trusted) if node in trusted else 0.0 for node in range(n_nodes)]
        trust = list(seeds)
        for _ in range(max(1, math.ceil(math.log2(max(n_nodes, 2))))):
            dangling = sum(trust[node] for node in range(n_nodes) if out_degree[node] == 0)
            following_trust = [(0.85 * dangling + 0.15) * seeds[node] for node in range(n_nodes)]
            for u, v, _, _ in edges:
                following_trust[v] += 0.85 * trust[u] / out_degree[u]
            trust = following_trust
        per_follower = [trust[node] / max(in_degree[node], 1) for node in range(n_nodes)]
        reached = [value for value in per_follower if value > 0]
        median = float(np.median(reached)) if reached else 0.0
        for node in range(n_nodes):
            if node in trusted:
                score = 0.0
            elif per_follower[node] > 0:
                score = min(1.0, max(0.0, math.log10(median / per_follower[node]) / 6.0))
            else:
                score = 1.0
            signals["low_trust"][node] = score
    weak = [signals["low_trust"][node] >= 0.5 for node in range(n_nodes)]
    followers_of: dict[int, list[int]] = defaultdict(list)
    for u, v in follows:
        followers_of[v].append(u)
    for node, group in followers_of.items():
        share = sum(weak[u] for u in group) / len(group)
        signals["weak_followers"][node] = share
        chosen = sorted(group)[:50]
        if len(chosen) >= 2:
            linked = sum(1 for f in chosen for g in chosen if f != g and (f, g) in follows)
            density = linked / (len(chosen) * (len(chosen) - 1))
            signals["ring"][node] = min(1.0, density / 0.3) * share
    suspicion = []
    for node in range(n_nodes):
        z = BIAS + sum(WEIGHTS[name] * signals[name][node] for name in SIGNALS)
        suspicion.append(1.0 / (1.0 + math.exp(-z)))
    return signals, suspicion
