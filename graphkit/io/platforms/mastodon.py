"""Mastodon account exports: the account archive ("Request your archive": a zip, or a
``.tar.gz`` from older servers) and the CSV files of the "Data export" page, given as the
archive, a folder holding them, or one file.

- ``actor.json``: the owner (``preferredUsername`` on the server of its ``id``); an
  ``Organization`` actor is a brand.
- ``following_accounts.csv`` (``Account address,Show boosts,...``; older servers write the
  addresses alone): whom the owner follows. Mastodon exports no followers list; a
  ``followers.csv`` of the same shape is read when present.
- ``outbox.json``: the ActivityStreams collection of the owner's activities. ``Announce``
  (a boost) is a ``repost`` of the boosted post's author; a ``Create`` whose object has
  ``inReplyTo`` is a ``reply`` to that post's author, its ``Mention`` tags are ``mention``\\ s
  and its ``quote`` / ``quoteUri`` a ``quote``; ``published`` gives the time.
- ``likes.json``: the posts the owner favourited, as ``like``\\ s of their authors (no time).

Account ids are ``mastodon:`` + the account address in lower case
(``mastodon:maya@hachyderm.io``). A post's author is read from its address
(``https://host/users/name/statuses/1`` or ``https://host/@name/1``); posts on servers
that name them otherwise are skipped and counted in the notes.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from graphkit.errors import InputError
from graphkit.io.platforms.export import (
    PlatformExport,
    TableBuilder,
    checked_id,
    csv_rows,
    decode,
    find_header,
    parse_iso,
    parse_json,
)
from graphkit.io.platforms.source import ExportSource

PLATFORM: Final = "mastodon"
LABEL: Final = "Mastodon export"
FILES: Final = ("actor.json", "outbox.json", "likes.json", "following_accounts.csv")
_ACTOR_URI: Final = re.compile(r"^https?://(?P<host>[^/@\s]+)/(?:users/|@)(?P<name>[^/?#@\s]+)")
_PUBLIC: Final = "https://www.w3.org/ns/activitystreams#Public"


def looks_like(source: ExportSource) -> bool:
    """Whether the export holds a Mastodon archive or CSV export (or is one of its files)."""
    if any(source.find(name) for name in FILES):
        return True
    names = source.names()
    if len(names) != 1:
        return False
    head = source.read_head(names[0])
    if names[0].lower().endswith(".csv"):
        return find_header(head, ("Account address",)) is not None
    return names[0].lower().endswith(".json") and '"orderedItems"' in head


def address_id(address: str) -> str:
    """The account id of an address ``name@host`` (a leading ``@`` is dropped).

    >>> address_id("@Maya@Hachyderm.io")
    'mastodon:maya@hachyderm.io'
    """
    return f"mastodon:{address.strip().removeprefix('@').casefold()}"


def actor_address(uri: str) -> str | None:
    """``name@host`` of an actor or post address, or None when its shape is unknown.

    >>> actor_address("https://hachyderm.io/users/maya/statuses/1")
    'maya@hachyderm.io'
    """
    match = _ACTOR_URI.match(uri)
    return f"{match['name']}@{match['host'].lower()}" if match else None


def data_files(source: ExportSource) -> list[str]:
    """The files :func:`read` reads (for estimating its memory before reading)."""
    names = [
        name
        for filename in (*FILES, "followers.csv")
        for name in source.find(filename)[: None if filename.endswith(".csv") else 1]
    ]
    single = source.names()
    return names or (single if len(single) == 1 else [])


def read(source: ExportSource) -> PlatformExport:
    """Read a Mastodon export into canonical tables.

    Raises
    ------
    InputError
        When the export holds none of its files, its owner cannot be told (no
        ``actor.json`` and no ``outbox.json``), or a file is truncated or malformed.
    """
    names = source.names()
    if not names:
        raise InputError("empty archive: it holds no files", path=source.path)
    files = {name: source.find(name) for name in (*FILES, "followers.csv")}
    if len(names) == 1 and not any(files.values()) and looks_like(source):
        kind = "outbox.json" if names[0].lower().endswith(".json") else "following_accounts.csv"
        files[kind] = names
    if not any(files.values()):
        raise InputError(
            "not a Mastodon export: no actor.json, outbox.json, likes.json or "
            "following_accounts.csv",
            path=source.path,
        )
    builder = TableBuilder(PLATFORM)
    outbox = _collection(source, files["outbox.json"][0]) if files["outbox.json"] else None
    owner_id = _owner(source, files["actor.json"], outbox, builder)
    notes: list[str] = []
    for name in files["following_accounts.csv"]:
        for address in _addresses(source, name):
            builder.follow(owner_id, builder.account(address_id(address), handle=address))
    for name in files["followers.csv"]:
        for address in _addresses(source, name):
            builder.follow(builder.account(address_id(address), handle=address), owner_id)
    if outbox is not None:
        notes += _read_outbox(source.where(files["outbox.json"][0]), outbox, builder, owner_id)
    if files["likes.json"]:
        likes = _collection(source, files["likes.json"][0])
        skipped = 0
        where = source.where(files["likes.json"][0])
        for number, item in enumerate(likes, start=1):
            target = _author(item)
            if target is None:
                skipped += 1
                continue
            account = _account(builder, target, where, number)
            builder.interaction(owner_id, account, "like", None, _uri(item))
        if skipped:
            notes.append(
                f"{source.where(files['likes.json'][0])}: skipped {skipped:,} likes of posts "
                "whose address does not name their author"
            )
    return builder.build(source.path, owner_id, notes)


def _collection(source: ExportSource, name: str) -> list[Any]:
    where = source.where(name)
    value = parse_json(decode(source.read_bytes(name), where), where)
    items = value.get("orderedItems", value.get("items")) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise InputError("not an ActivityStreams collection: no orderedItems list", path=where)
    return items


def _owner(
    source: ExportSource, actor: list[str], outbox: list[Any] | None, builder: TableBuilder
) -> str:
    if actor:
        where = source.where(actor[0])
        record = parse_json(decode(source.read_bytes(actor[0]), where), where)
        uri = record.get("id") if isinstance(record, dict) else None
        match = _ACTOR_URI.match(uri) if isinstance(uri, str) else None
        username = record.get("preferredUsername") if isinstance(record, dict) else None
        if match is None or not isinstance(username, str) or not username.strip():
            raise InputError(
                "no actor id and preferredUsername: cannot tell whose export this is",
                path=where,
            )
        address = f"{username.strip()}@{match['host'].lower()}"
        kind = "brand" if record.get("type") == "Organization" else "person"
        return builder.account(
            checked_id(address_id(address), where, "preferredUsername"),
            handle=address,
            name=_text(record.get("name")),
            kind=kind,
            url=_text(record.get("url")),
        )
    actors = {item.get("actor") for item in outbox or [] if isinstance(item, dict)}
    actors.discard(None)
    if len(actors) == 1 and (found := actor_address(str(actors.pop()))) is not None:
        return builder.account(address_id(found), handle=found)
    raise InputError(
        "no actor.json (nor an outbox.json naming its actor): cannot tell whose export this "
        "is; give the archive's actor.json beside the CSV files",
        path=source.path,
    )


def _addresses(source: ExportSource, name: str) -> list[str]:
    where = source.where(name)
    text = decode(source.read_bytes(name), where)
    if not text.strip():
        return []
    header_line = find_header(text, ("Account address",), search_lines=1)
    if header_line is None:  # older servers wrote the addresses without a header
        text = "Account address\n" + text
        header_line, offset = 0, -1
    else:
        offset = 0
    _, rows = csv_rows(text, where, header_line)
    addresses = []
    for row in rows:
        address = row.get("Account address").removeprefix("@")
        user, _, host = address.partition("@")
        if not user or not host or " " in address:
            raise InputError(
                f"not an account address (name@server): {address!r}",
                path=where,
                row=row.line + offset,
                column="Account address",
            )
        checked_id(address, where, "Account address", row=row.line + offset)
        addresses.append(address)
    return addresses


def _read_outbox(where: str, items: list[Any], builder: TableBuilder, owner_id: str) -> list[str]:
    unknown_authors = 0
    for number, item in enumerate(items, start=1):

        def account(address: str, number: int = number) -> str:
            return _account(builder, address, where, number)

        if not isinstance(item, dict):
            raise InputError(f"item {number} of orderedItems is not an activity", path=where)
        kind = item.get("type")
        when = _published(item, where, number)
        if kind == "Announce":
            target = _boosted_author(item)
            if target is None:
                unknown_authors += 1
                continue
            builder.interaction(owner_id, account(target), "repost", when, _uri(item.get("object")))
        elif kind == "Create" and isinstance(item.get("object"), dict):
            note = item["object"]
            when = _published(note, where, number) or when
            post = _uri(note)
            replied = None
            if note.get("inReplyTo"):
                replied = _author(note["inReplyTo"])
                if replied is None:
                    unknown_authors += 1
                else:
                    builder.interaction(owner_id, account(replied), "reply", when, post)
            for mention in _tags(note, "Mention"):
                address = _mention_address(mention)
                if address is None or address_id(address) == address_id(replied or ""):
                    continue
                builder.interaction(owner_id, account(address), "mention", when, post)
            quoted = note.get("quote") or note.get("quoteUri") or note.get("_misskey_quote")
            if quoted:
                target = _author(quoted)
                if target is None:
                    unknown_authors += 1
                else:
                    builder.interaction(owner_id, account(target), "quote", when, post)
    if unknown_authors:
        return [
            f"{where}: skipped {unknown_authors:,} boosts, replies or quotes of posts whose "
            "address does not name their author"
        ]
    return []


def _account(builder: TableBuilder, address: str, where: str, number: int) -> str:
    account_id = checked_id(address_id(address), where, "account address", item=number)
    return builder.account(account_id, handle=address)


def _uri(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _author(value: Any) -> str | None:
    """``name@host`` of a post given as its address or as an object."""
    if isinstance(value, dict):
        attributed = value.get("attributedTo")
        if isinstance(attributed, str) and (address := actor_address(attributed)):
            return address
        value = value.get("id")
    return actor_address(value) if isinstance(value, str) else None


def _boosted_author(item: dict[str, Any]) -> str | None:
    author = _author(item.get("object"))
    if author is not None:
        return author
    # Mastodon addresses a boost to the boosted post's author too.
    cc = item.get("cc")
    for uri in cc if isinstance(cc, list) else []:
        audience = not isinstance(uri, str) or uri == _PUBLIC or uri.endswith("/followers")
        if not audience and (address := actor_address(uri)):
            return address
    return None


def _tags(note: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    tags = note.get("tag")
    if isinstance(tags, dict):
        tags = [tags]
    return (
        [tag for tag in tags if isinstance(tag, dict) and tag.get("type") == kind]
        if isinstance(tags, list)
        else []
    )


def _mention_address(mention: dict[str, Any]) -> str | None:
    name = mention.get("name")
    href = mention.get("href")
    from_href = actor_address(href) if isinstance(href, str) else None
    if isinstance(name, str) and name.count("@") == 2:
        return name.removeprefix("@")
    return from_href


def _published(item: dict[str, Any], where: str, number: int) -> datetime | None:
    value = item.get("published")
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_iso(value)
    if parsed is None:
        raise InputError(f"item {number} has an unparsable published time {value!r}", path=where)
    return parsed


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
