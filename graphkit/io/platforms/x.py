"""X (Twitter) archives: the zip X sends ("Download an archive of your data"), or its folder.

The archive's ``data/`` folder holds JavaScript files that assign a JSON array to a global,
``window.YTD.follower.part0 = [{"follower": {"accountId": ..., "userLink": ...}}]``; large
ones are split into ``follower-part1.js``, ... This reader uses

- ``account.js`` (or ``manifest.js``): the owner (account id, username, display name);
- ``follower.js`` / ``following.js``: follows to and from the owner;
- ``tweets.js`` (``tweet.js`` in older archives): the owner's interactions, with timestamps:
  retweets (``RT @name:`` and its first mention) as ``repost``, replies
  (``in_reply_to_user_id_str``) as ``reply``, ``entities.user_mentions`` written in the text
  as ``mention``, and links to another account's post (how archives record quote posts) as
  ``quote``.

Account ids are ``x:`` + the numeric account id. A quoted account is known only by its
handle unless the archive names its id elsewhere; it gets the id ``x:@handle`` until merging
finds the account (see :mod:`graphkit.io.platforms.merge`). Likes are not read: ``like.js``
does not name the liked post's author.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, Final

from graphkit.errors import InputError
from graphkit.io.platforms.export import (
    PlatformExport,
    TableBuilder,
    checked_id,
    decode,
    parse_date,
    parse_json,
)
from graphkit.io.platforms.source import ExportSource

PLATFORM: Final = "x"
LABEL: Final = "X archive"
# data/<kind>.js and its parts data/<kind>-part1.js, ...
DATA_FILE: Final = re.compile(r"^(?P<root>(?:.*/)?)data/(?P<kind>[a-z_-]+?)(?:-part\d+)?\.js$")
KNOWN_KINDS: Final = ("account", "follower", "following", "tweets", "tweet", "profile", "manifest")
_ASSIGNMENT: Final = re.compile(r"^\s*window\.(?:YTD\.[A-Za-z0-9_]+\.part\d+|__THAR_CONFIG)\s*=\s*")
_STATUS_LINK: Final = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>[A-Za-z0-9_]{1,15})/status(?:es)?/\d+",
    re.IGNORECASE,
)
_RETWEET: Final = re.compile(r"^RT @(?P<handle>[A-Za-z0-9_]{1,15}):")
_CREATED_AT: Final = ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z")


def looks_like(source: ExportSource) -> bool:
    """Whether the export holds an X archive's data files."""
    names = source.names()
    if any(_data_kind(name) in KNOWN_KINDS for name in names):
        return True
    if len(names) == 1 and names[0].lower().endswith(".js"):
        return _ASSIGNMENT.match(source.read_head(names[0], 200)) is not None
    return False


def data_files(source: ExportSource) -> list[str]:
    """The files :func:`read` reads (for estimating its memory before reading)."""
    kinds = ("account", "manifest", "follower", "following", "tweets", "tweet")
    names = [name for name in source.names() if _data_kind(name) in kinds]
    single = source.names()
    return names or (single if len(single) == 1 else [])


def read(source: ExportSource) -> PlatformExport:
    """Read an X archive into canonical tables.

    Raises
    ------
    InputError
        When the archive is empty, lacks the owner's ``account.js``, holds no follower,
        following or tweet file, or a file is truncated or malformed (naming the file).
    """
    files = _data_files(source)
    owner = _owner(source, files)
    builder = TableBuilder(PLATFORM)
    owner_id = builder.account(
        owner.id,
        handle=owner.handle,
        name=owner.name,
        url=f"https://x.com/{owner.handle}" if owner.handle else None,
    )
    if not any(kind in files for kind in ("follower", "following", "tweets", "tweet")):
        raise InputError(
            "no data/follower.js, data/following.js or data/tweets.js: the archive holds "
            "no follows and no posts to import",
            path=source.path,
        )
    followers = 0
    for name in files.get("follower", []):
        for number, item in enumerate(_items(source, name), start=1):
            account_id, link = _relation(item, "follower", source.where(name), number)
            builder.follow(builder.account(account_id, url=link), owner_id)
            followers += 1
    if "follower" in files:
        builder.account(owner_id, followers_count=followers)
    for name in files.get("following", []):
        for number, item in enumerate(_items(source, name), start=1):
            account_id, link = _relation(item, "following", source.where(name), number)
            builder.follow(owner_id, builder.account(account_id, url=link))
    tweets = [*files.get("tweets", []), *files.get("tweet", [])]
    _read_tweets(source, tweets, builder, owner_id, owner.handle)
    return builder.build(source.path, owner_id, [])


@dataclass(frozen=True)
class _Owner:
    id: str
    handle: str | None
    name: str | None


def _data_kind(name: str) -> str | None:
    match = DATA_FILE.match(name)
    return match["kind"] if match else None


def _data_files(source: ExportSource) -> dict[str, list[str]]:
    """The archive's data files by kind, parts in order, from its one ``data/`` folder."""
    names = source.names()
    if not names:
        raise InputError("empty archive: it holds no files", path=source.path)
    roots = sorted({match["root"] for name in names if (match := DATA_FILE.match(name))})
    if not roots:
        raise InputError(
            "not an X archive: no data/account.js, data/follower.js, data/following.js or "
            "data/tweets.js",
            path=source.path,
        )
    if len(roots) > 1:
        raise InputError(
            f"holds {len(roots)} X archives ({', '.join(r or './' for r in roots)}); "
            "give each one separately",
            path=source.path,
        )
    files: dict[str, list[str]] = {}
    for name in names:
        match = DATA_FILE.match(name)
        if match and match["root"] == roots[0]:
            files.setdefault(match["kind"], []).append(name)
    for parts in files.values():
        parts.sort(key=_part_number)
    return files


def _part_number(name: str) -> int:
    match = re.search(r"-part(\d+)\.js$", name)
    return int(match.group(1)) if match else 0


def _items(source: ExportSource, name: str) -> list[Any]:
    """The JSON array a ``window.YTD.<kind>.partN = [...]`` file assigns."""
    where = source.where(name)
    text = decode(source.read_bytes(name), where)
    match = _ASSIGNMENT.match(text)
    if match is None:
        stem = PurePosixPath(name).stem.split("-part")[0]
        raise InputError(
            f"does not start with 'window.YTD.{stem}.part0 = ': not a data file of an X archive",
            path=where,
        )
    # Blank out the assignment rather than cut it, so JSON errors keep their line numbers.
    body = " " * match.end() + text[match.end() :]
    body = body.rstrip().removesuffix(";")
    value = parse_json(body, where)
    if name.endswith("manifest.js"):
        return [value]
    if not isinstance(value, list):
        raise InputError("expected a JSON array after the window.YTD assignment", path=where)
    return value


def _owner(source: ExportSource, files: dict[str, list[str]]) -> _Owner:
    if "account" in files:
        name = files["account"][0]
        items = _items(source, name)
        record = items[0].get("account") if items and isinstance(items[0], dict) else None
        if not isinstance(record, dict) or not record.get("accountId"):
            raise InputError(
                "no account.accountId: cannot tell whose archive this is", path=source.where(name)
            )
        where = source.where(name)
        return _Owner(
            checked_id(f"x:{record['accountId']}", where, "account.accountId", item=1),
            _text(record.get("username")),
            _text(record.get("accountDisplayName")),
        )
    if "manifest" in files:
        name = files["manifest"][0]
        info = _items(source, name)[0]
        user = info.get("userInfo") if isinstance(info, dict) else None
        if isinstance(user, dict) and user.get("accountId"):
            return _Owner(
                checked_id(
                    f"x:{user['accountId']}", source.where(name), "userInfo.accountId", item=1
                ),
                _text(user.get("userName")),
                _text(user.get("displayName")),
            )
    raise InputError(
        "no data/account.js: cannot tell whose archive this is (is the archive complete?)",
        path=source.path,
    )


def _relation(item: Any, key: str, where: str, number: int) -> tuple[str, str | None]:
    record = item.get(key) if isinstance(item, dict) else None
    account_id = record.get("accountId") if isinstance(record, dict) else None
    if not isinstance(account_id, str | int) or not str(account_id).strip():
        raise InputError(f"item {number} has no {key}.accountId", path=where)
    link = record.get("userLink") if isinstance(record, dict) else None
    checked = checked_id(f"x:{str(account_id).strip()}", where, f"{key}.accountId", item=number)
    return checked, link if isinstance(link, str) else None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _read_tweets(
    source: ExportSource,
    names: Iterable[str],
    builder: TableBuilder,
    owner_id: str,
    owner_handle: str | None,
) -> None:
    tweets = []
    for name in names:
        for number, item in enumerate(_items(source, name), start=1):
            tweet = item.get("tweet", item) if isinstance(item, dict) else None
            if not isinstance(tweet, dict):
                raise InputError(f"item {number} is not a tweet object", path=source.where(name))
            tweets.append((name, number, tweet))
    # Handles the archive names with ids (mentions, replies): quotes name only the handle.
    id_of_handle: dict[str, str] = {}
    if owner_handle:
        id_of_handle[owner_handle.casefold()] = owner_id
    for name, number, tweet in tweets:
        where = source.where(name)
        for mention in _mentions(tweet):
            mention_id = checked_id(
                f"x:{mention['id_str']}", where, "entities.user_mentions.id_str", item=number
            )
            if isinstance(mention.get("screen_name"), str):  # X omits it for some accounts
                id_of_handle.setdefault(mention["screen_name"].casefold(), mention_id)
        replied_id = str(tweet.get("in_reply_to_user_id_str") or "").strip()
        checked_id(f"x:{replied_id}", where, "in_reply_to_user_id_str", item=number)
        if tweet.get("in_reply_to_user_id_str") and tweet.get("in_reply_to_screen_name"):
            id_of_handle.setdefault(
                str(tweet["in_reply_to_screen_name"]).casefold(),
                f"x:{tweet['in_reply_to_user_id_str']}",
            )
    for name, number, tweet in tweets:
        when = _created_at(tweet, source.where(name), number)
        post = (
            f"https://x.com/{owner_handle or 'i'}/status/{tweet['id_str']}"
            if tweet.get("id_str")
            else None
        )
        retweet = _RETWEET.match(str(tweet.get("full_text") or tweet.get("text") or ""))
        if retweet:
            handle = retweet["handle"]
            target = id_of_handle.get(handle.casefold(), f"x:@{handle}")
            builder.account(target, handle=handle)
            builder.interaction(owner_id, target, "repost", when, post)
            continue
        replied = str(tweet.get("in_reply_to_user_id_str") or "").strip()
        if replied:
            target = builder.account(
                f"x:{replied}", handle=_text(tweet.get("in_reply_to_screen_name"))
            )
            builder.interaction(owner_id, target, "reply", when, post)
        visible_from = _visible_start(tweet)
        for mention in _mentions(tweet):
            if mention["id_str"] == replied or _index(mention) < visible_from:
                continue  # the reply's leading @names, which X writes itself
            target = builder.account(
                f"x:{mention['id_str']}",
                handle=_text(mention.get("screen_name")),
                name=_text(mention.get("name")),
            )
            builder.interaction(owner_id, target, "mention", when, post)
        for handle in _quoted_handles(tweet):
            target = id_of_handle.get(handle.casefold(), f"x:@{handle}")
            builder.account(target, handle=handle)
            builder.interaction(owner_id, target, "quote", when, post)


def _mentions(tweet: dict[str, Any]) -> list[dict[str, Any]]:
    entities = tweet.get("entities")
    mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
    if not isinstance(mentions, list):
        return []
    return [
        mention
        for mention in mentions
        if isinstance(mention, dict) and str(mention.get("id_str") or "").strip() not in ("", "-1")
    ]


def _index(mention: dict[str, Any]) -> int:
    indices = mention.get("indices")
    try:
        return int(indices[0]) if isinstance(indices, list) and indices else 0
    except (TypeError, ValueError):
        return 0


def _visible_start(tweet: dict[str, Any]) -> int:
    shown = tweet.get("display_text_range")
    try:
        return int(shown[0]) if isinstance(shown, list) and shown else 0
    except (TypeError, ValueError):
        return 0


def _quoted_handles(tweet: dict[str, Any]) -> list[str]:
    entities = tweet.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    handles = []
    for link in urls if isinstance(urls, list) else []:
        expanded = link.get("expanded_url") if isinstance(link, dict) else None
        match = _STATUS_LINK.match(expanded) if isinstance(expanded, str) else None
        if match and match["handle"].lower() != "i" and match["handle"] not in handles:
            handles.append(match["handle"])
    return handles


_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _fast_created_at(value: str) -> datetime | None:
    """``Wed Oct 10 20:19:24 +0000 2018`` without strptime (ten times faster), else None."""
    parts = value.split()
    if len(parts) != 6 or parts[4] != "+0000" or parts[1] not in _MONTHS:
        return None
    clock = parts[3].split(":")
    if len(clock) != 3 or not all(piece.isdigit() for piece in (*clock, parts[2], parts[5])):
        return None
    try:
        return datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]),
                        int(clock[0]), int(clock[1]), int(clock[2]), tzinfo=UTC)  # fmt: skip
    except ValueError:
        return None


def _created_at(tweet: dict[str, Any], where: str, number: int) -> datetime | None:
    value = tweet.get("created_at")
    if value is None or value == "":
        return None
    text = str(value).strip()
    parsed = _fast_created_at(text) or parse_date(text, _CREATED_AT)
    if parsed is None:
        raise InputError(
            f"item {number} has an unparsable created_at {value!r} "
            "(expected e.g. 'Wed Oct 10 20:19:24 +0000 2018')",
            path=where,
        )
    return parsed
