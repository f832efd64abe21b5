"""How the report names things for the people who act on it.

Accounts go by their name, else their handle, else their id; organizations by their brand
account's name; communities by their leaders and their members' most frequent title and
topic ("Dana Lee, Sam Roy · CTOs · cloud"); audiences in words ("C-level titles"); and a
profile link wherever an account's ``url`` is an http(s) address or its handle and platform
give one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final
from urllib.parse import quote, urlsplit

import numpy as np
import polars as pl

from graphkit.analysis.audience import C_LEVEL
from graphkit.errors import ParameterError
from graphkit.export.report.charts import OTHER
from graphkit.graph.social import SocialGraph
from graphkit.io import rules

LABEL_COLUMNS: Final = ("id", "label", "handle", "url")
SEPARATOR: Final = " · "
NAMED_LEADERS: Final = 2  # leaders named in a community's name
PROFILE_URLS: Final = {
    "x": "https://x.com/{}",
    "twitter": "https://x.com/{}",
    "linkedin": "https://www.linkedin.com/in/{}",
    "instagram": "https://www.instagram.com/{}",
    "threads": "https://www.threads.net/@{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
    "github": "https://github.com/{}",
    "bluesky": "https://bsky.app/profile/{}",
    "facebook": "https://www.facebook.com/{}",
}
"""Profile address of a handle on each platform (lower-case platform names)."""
BRAND_PROFILE_URLS: Final = {"linkedin": "https://www.linkedin.com/company/{}"}
"""Where a brand's profile differs from a person's."""

_MASTODON: Final = re.compile(r"^@?([A-Za-z0-9_]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
# Letters, digits, _ . -, with a letter, digit or _ ("." or ".." would climb the address).
_HANDLE: Final = re.compile(r"^@?([\w.\-]*\w[\w.\-]*)$")
_UNSAFE_URL: Final = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\`]")
# Titles whose last word takes an "s" in the plural: acronyms (CTO, VP) and agent nouns
# (Engineer, Director, Analyst, Architect...). Others ("Head of Sales") stay as they are.
_ACRONYM: Final = re.compile(r"^[A-Z]{2,5}$")
_AGENT_SUFFIXES: Final = ("er", "or", "ist", "yst", "ant", "ent", "ian", "ect", "ate", "ive", "ead")
# One word or phrase of a regular expression alternative: nothing a reader would not read.
_PLAIN_ALTERNATIVE: Final = re.compile(r"^[\w][\w .&'/+-]*$")
_C_LEVEL_WORD: Final = re.compile(r"^(?:C[A-Z]{1,3}O|(?i:chief)\b.*)$")
# Bidirectional embeddings, overrides and isolates: a name holding one would reverse the text
# after it ("Trojan Source"); and controls and line separators, which a label never needs.
_BIDI_CONTROLS: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROLS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
LABEL_LENGTH: Final = 120  # characters of a label shown; longer ones end in an ellipsis
PART_LENGTH: Final = 60  # characters of each part of a community's name


def display_label(name: str | None, handle: str | None, account_id: str) -> str:
    """An account's name, else its handle, else its id (blanks count as missing).

    Examples
    --------
    >>> display_label("Ada Brightwater", "ada", "p1"), display_label(" ", "ada", "p1")
    ('Ada Brightwater', 'ada')
    >>> display_label(None, None, "p1")
    'p1'

    Bidirectional controls go, other controls become blanks, and a label longer than
    :data:`LABEL_LENGTH` characters is cut with an ellipsis:

    >>> display_label("\\u202eevil\\tname", None, "p1"), len(display_label("x" * 500, None, "p1"))
    ('evil name', 120)
    """
    for value in (name, handle):
        if value is not None:
            label = clean_text(value)
            if label:
                return shorten(label, LABEL_LENGTH)
    return account_id


def clean_text(value: str) -> str:
    """``value`` without bidirectional controls, its controls and line separators as blanks,
    stripped."""
    return _CONTROLS.sub(" ", _BIDI_CONTROLS.sub("", value)).strip()


def shorten(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the last an ellipsis, when longer."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def profile_url(
    url: str | None, handle: str | None, platform: str | None, kind: str | None = None
) -> str | None:
    """The account's profile address: its ``url`` when that is an http(s) address, else one
    made from its handle on a known platform; ``None`` when neither gives one.

    Examples
    --------
    >>> profile_url("https://example.com/ada", None, None)
    'https://example.com/ada'
    >>> profile_url("javascript:alert(1)", "ada", "x")
    'https://x.com/ada'
    >>> profile_url(None, "@ada", "X"), profile_url(None, "contoso", "linkedin", "brand")
    ('https://x.com/ada', 'https://www.linkedin.com/company/contoso')
    >>> profile_url(None, "ada@mastodon.social", "mastodon")
    'https://mastodon.social/@ada'
    >>> profile_url(None, "<script>", "x") is None, profile_url(None, "..", "x") is None
    (True, True)
    """
    if url is not None and is_web_address(url.strip()):
        return url.strip()
    if handle is None or platform is None:
        return None
    handle = handle.strip()
    platform = platform.strip().lower()
    if platform == "mastodon":
        found = _MASTODON.match(handle)
        return None if found is None else f"https://{found[2]}/@{quote(found[1])}"
    template = (BRAND_PROFILE_URLS if kind == "brand" else {}).get(platform) or PROFILE_URLS.get(
        platform
    )
    plain = _HANDLE.match(handle)
    if template is None or plain is None:
        return None
    return template.format(quote(plain[1], safe=""))


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an absolute http or https address with a host and nothing that
    could leave an HTML attribute (blanks, quotes, angle brackets, backslashes, controls).

    Examples
    --------
    >>> [is_web_address(u) for u in ["https://x.com/a", "http://h", "javascript:alert(1)",
    ...  "//x.com", "https://", "https://a b", "HTTPS://X.COM/A", "data:text/html,x"]]
    [True, True, False, False, False, False, True, False]
    """
    if len(url) > 2_000 or _UNSAFE_URL.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def account_labels(graph: SocialGraph, ids: Iterable[str]) -> pl.DataFrame:
    """``id, label, handle, url`` of each distinct id (unknown ids are labelled by themselves).

    ``label`` is :func:`display_label`; ``url`` is :func:`profile_url` or null.
    """
    wanted = pl.DataFrame(
        {"id": list(dict.fromkeys(str(value) for value in ids))}, schema={"id": pl.String}
    )
    accounts = graph.accounts
    columns = ("name", "handle", "url", "platform", "kind")
    if accounts is not None:
        present = [name for name in columns if name in accounts.columns]
        attributes = accounts.select(
            pl.col("id").cast(pl.String), *(pl.col(name).cast(pl.String) for name in present)
        ).unique("id", keep="first", maintain_order=True)  # one row per id, whatever came in
        wanted = wanted.join(attributes, on="id", how="left", maintain_order="left")
    wanted = wanted.with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in columns if name not in wanted.columns
    )
    rows = wanted.select("id", *columns).rows()
    return pl.DataFrame(
        {
            "id": [row[0] for row in rows],
            "label": [display_label(name, handle, key) for key, name, handle, *_ in rows],
            "handle": [
                handle.strip() if handle is not None and handle.strip() else None
                for _, _, handle, *_ in rows
            ],
            "url": [
                profile_url(url, handle, platform, kind)
                for _, _, handle, url, platform, kind in rows
            ],
        },
        schema=dict.fromkeys(LABEL_COLUMNS, pl.String),
    )


def community_names(
    graph: SocialGraph,
    membership: np.ndarray,
    summary: pl.DataFrame,
    communities: Iterable[int],
    labels: Mapping[str, str],
) -> dict[int, str]:
    """Names of ``communities``: their first leaders, then their members' most frequent title
    and topic, ``"Dana Lee, Sam Roy · CTOs · cloud"``; distinct for distinct communities.

    Parameters
    ----------
    graph
        The graph the partition is of.
    membership
        Community of each node.
    summary
        :func:`graphkit.analysis.community_summary` (its ``leaders`` column: ids by rank).
    communities
        The communities to name.
    labels
        Account id to its label (:func:`account_labels`), for the leaders.
    """
    wanted = sorted({int(value) for value in communities})
    leaders = dict(
        summary.filter(pl.col("community").is_in(wanted)).select("community", "leaders").rows()
    )
    titles = _most_frequent(graph, membership, wanted, "title")
    topics = _most_frequent(graph, membership, wanted, "topics")
    names: dict[int, str] = {}
    taken = {OTHER}  # the charts' group of the communities without a colour of their own
    for community in wanted:
        ids = [part for part in (leaders.get(community) or "").split("; ") if part]
        people = ", ".join(
            shorten(labels.get(key, key), PART_LENGTH) for key in ids[:NAMED_LEADERS]
        )
        parts = [people] if people else []
        if community in titles:
            parts.append(shorten(plural_title(clean_text(titles[community])), PART_LENGTH))
        if community in topics:
            parts.append(shorten(clean_text(topics[community]), PART_LENGTH))
        parts = [part for part in parts if part]
        name = SEPARATOR.join(parts) or f"Community {community + 1}"
        unique, copy = name, 2
        while unique in taken:
            unique, copy = f"{name} ({copy})", copy + 1
        taken.add(unique)
        names[community] = unique
    return names


def plural_title(title: str) -> str:
    """A title in the plural where English makes that safe, else as it is.

    Examples
    --------
    >>> [plural_title(t) for t in ["CTO", "Data Engineer", "Analyst", "Head of Sales", "Ops"]]
    ['CTOs', 'Data Engineers', 'Analysts', 'Head of Sales', 'Ops']
    """
    words = title.split()
    last = words[-1] if words else ""
    agent = (last.islower() or last.istitle()) and last.lower().endswith(_AGENT_SUFFIXES)
    if _ACRONYM.match(last) or agent:
        return title + "s"
    return title


def _most_frequent(
    graph: SocialGraph, membership: np.ndarray, communities: list[int], column: str
) -> dict[int, str]:
    """Per community, the most frequent non-blank value of an accounts column (ties: the
    first in alphabetical order); list columns count each element."""
    accounts = graph.accounts
    if accounts is None or column not in accounts.columns or not communities:
        return {}
    members = pl.DataFrame(
        {"id": pl.Series("id", graph.ids).cast(pl.String), "community": membership}
    ).filter(pl.col("community").is_in(communities))
    values = members.join(
        accounts.select(pl.col("id").cast(pl.String), pl.col(column).alias("value")),
        on="id",
        how="left",
    ).select("community", "value")
    if isinstance(values.schema["value"], pl.List):
        values = values.explode("value")
    values = values.with_columns(pl.col("value").cast(pl.String).str.strip_chars()).filter(
        pl.col("value").is_not_null() & (pl.col("value") != "")
    )
    best = (
        values.group_by("community", "value")
        .len()
        .sort(["community", "len", "value"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .first()
    )
    return {int(community): str(value) for community, value, _ in best.rows()}


def describe_audience(
    selectors: Sequence[str], organizations: Mapping[str, str] | None = None
) -> str:
    """Audience selectors in words: ``C-level titles``, ``topic cloud``, ``3 chosen
    accounts``; clauses joined by ``&`` read "and", several selectors "or".

    Parameters
    ----------
    selectors
        As given to :func:`graphkit.analysis.select_audience`.
    organizations
        Organization id to its name, for ``org=`` clauses.

    Examples
    --------
    >>> describe_audience([C_LEVEL])
    'C-level titles'
    >>> describe_audience(["title~CTO|CIO", "topic=cloud,ai"])
    'C-level titles (CTO, CIO) or topics cloud or ai'
    >>> describe_audience(["id=a,b,c & title=Analyst"])
    '3 chosen accounts and title Analyst'
    >>> describe_audience(["org=b1"], {"b1": "Contoso"}), describe_audience(["title~^(a|b)+$"])
    ('people of Contoso', 'titles matching the pattern ^(a|b)+$')
    """
    organizations = organizations or {}
    parts = []
    for selector in selectors:
        if not rules.is_clause_selector(selector) or Path(selector).is_file():
            parts.append(f"the accounts listed in {Path(selector).name or selector}")
            continue
        try:
            clauses = rules.parse_selector(selector)
        except ParameterError:  # the analyses refuse it with a message; here: as given
            parts.append(selector)
            continue
        parts.append(" and ".join(_describe_clause(clause, organizations) for clause in clauses))
    return " or ".join(parts)


def _describe_clause(clause: rules.AudienceClause, organizations: Mapping[str, str]) -> str:
    field = clause.field
    if clause.operator == "~":
        if f"{field}~{clause.value}" == C_LEVEL:
            return "C-level titles"
        words = [word.strip() for word in clause.value.split("|")]
        if not all(_PLAIN_ALTERNATIVE.match(word) for word in words):
            return f"{_plural(field)} matching the pattern {clause.value}"
        if field == "title" and all(_C_LEVEL_WORD.match(word) for word in words):
            return f"C-level titles ({', '.join(words)})"
        return f"{_plural(field)} containing {_either(words)}"
    values = [item.strip() for item in clause.value.split(",") if item.strip()]
    if field == "id":
        return "1 chosen account" if len(values) == 1 else f"{len(values):,} chosen accounts"
    if field == "organization":
        return "people of " + _either([organizations.get(value, value) for value in values])
    label = field.removesuffix("s") if field == "topics" else field
    return f"{_plural(label) if len(values) > 1 else label} {_either(values)}"


def _plural(field: str) -> str:
    return field if field.endswith("s") else field + "s"


def _either(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
