"""Tests of the demo dataset generator and of the demo dataset shipped in graphkit/data/demo."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import polars as pl
import pytest

from datasets.demo import (
    ACCOUNT_COLUMNS,
    CORPORATE_BRAND,
    DATASET_FILES,
    DECISION_MAKER_TITLES,
    DEFAULT_SEED,
    FOLLOW_COLUMNS,
    INTERACTION_COLUMNS,
    INTERACTION_TYPES,
    STAR_BRAND,
    STORY_HANDLES,
    TOPICS,
    generate,
)

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "graphkit" / "data" / "demo"
HEADERS = {
    "accounts.csv": ACCOUNT_COLUMNS,
    "follows.csv.gz": FOLLOW_COLUMNS,
    "interactions.csv.gz": INTERACTION_COLUMNS,
}
GZIP_FILE_NAME_FLAG = 0x08
ISO_UTC_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


@pytest.fixture(scope="module")
def regenerated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset generated afresh with the shipped seed."""
    out_dir = tmp_path_factory.mktemp("demo")
    generate(out_dir, seed=DEFAULT_SEED)
    return out_dir


@pytest.fixture(scope="module")
def accounts() -> pl.DataFrame:
    """The shipped accounts, every column as text but the declared follower count."""
    return pl.read_csv(SHIPPED_DIR / "accounts.csv", infer_schema=False).with_columns(
        pl.col("followers_count").cast(pl.Int64)
    )


@pytest.fixture(scope="module")
def follows() -> pl.DataFrame:
    """The shipped follow edges."""
    return pl.read_csv(SHIPPED_DIR / "follows.csv.gz", infer_schema=False)


@pytest.fixture(scope="module")
def interactions() -> pl.DataFrame:
    """The shipped interactions."""
    return pl.read_csv(SHIPPED_DIR / "interactions.csv.gz", infer_schema=False)


@pytest.fixture(scope="module")
def in_degree(accounts: pl.DataFrame, follows: pl.DataFrame) -> pl.DataFrame:
    """Accounts with their number of followers within the data (``followers``)."""
    counts = follows.group_by("followed").len("followers")
    return accounts.join(counts, left_on="id", right_on="followed", how="left").with_columns(
        pl.col("followers").fill_null(0)
    )


def followers_of(follows: pl.DataFrame, accounts: list[str]) -> set[str]:
    """Distinct followers of any of the given accounts."""
    return set(follows.filter(pl.col("followed").is_in(accounts)).get_column("follower"))


def staff_of(accounts: pl.DataFrame, brand_id: str) -> list[str]:
    """Ids of the people working for a brand."""
    return accounts.filter(pl.col("organization") == brand_id).get_column("id").to_list()


def id_of(accounts: pl.DataFrame, handle: str) -> str:
    """Id of the account with the given handle."""
    return str(accounts.filter(pl.col("handle") == handle).get_column("id").item())


def decision_makers(accounts: pl.DataFrame) -> set[str]:
    """Ids of CTO, CIO and CISO accounts."""
    return set(accounts.filter(pl.col("title").is_in(DECISION_MAKER_TITLES)).get_column("id"))


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASET_FILES)
def test_regeneration_is_byte_identical(regenerated_dir: Path, name: str) -> None:
    shipped = (SHIPPED_DIR / name).read_bytes()
    regenerated = (regenerated_dir / name).read_bytes()
    if name.endswith(".gz") and shipped != regenerated:
        same_payload = gzip.decompress(shipped) == gzip.decompress(regenerated)
        pytest.fail(
            f"{name} differs from the shipped file; decompressed content identical: "
            f"{same_payload} (zlib runtime {zlib.ZLIB_RUNTIME_VERSION})"
        )
    assert regenerated == shipped


@pytest.mark.parametrize("name", [name for name in DATASET_FILES if name.endswith(".gz")])
def test_gzip_members_carry_no_name_and_no_time(name: str) -> None:
    header = (SHIPPED_DIR / name).read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    assert not header[3] & GZIP_FILE_NAME_FLAG
    assert header[4:8] == b"\x00\x00\x00\x00"


@pytest.mark.slow
def test_another_seed_gives_another_dataset(tmp_path: Path) -> None:
    generate(tmp_path, seed=DEFAULT_SEED + 1)
    assert (tmp_path / "accounts.csv").read_bytes() != (SHIPPED_DIR / "accounts.csv").read_bytes()


@pytest.mark.parametrize("name", DATASET_FILES)
def test_headers(name: str) -> None:
    raw = (SHIPPED_DIR / name).read_bytes()
    text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8")
    assert text.split("\n", 1)[0] == ",".join(HEADERS[name])
    assert "\r" not in text


def test_sizes_and_row_counts(
    accounts: pl.DataFrame, follows: pl.DataFrame, interactions: pl.DataFrame
) -> None:
    total_bytes = sum((SHIPPED_DIR / name).stat().st_size for name in DATASET_FILES)
    assert total_bytes < 1_500_000
    assert 2_800 <= accounts.height <= 3_200
    assert 10 <= accounts.filter(pl.col("kind") == "brand").height <= 14
    assert 250 <= accounts.filter(pl.col("organization").is_not_null()).height <= 350
    assert 40_000 <= follows.height <= 60_000
    assert 20_000 <= interactions.height <= 30_000
    assert accounts.filter(pl.col("title").is_in(("CTO", "CIO", "CISO", "CFO"))).height >= 140


def test_account_fields(accounts: pl.DataFrame) -> None:
    assert accounts.get_column("id").is_unique().all()
    assert accounts.get_column("handle").is_unique().all()
    assert set(accounts.get_column("kind")) == {"person", "brand"}
    assert set(accounts.get_column("platform")) == {"x", "linkedin"}
    brands = accounts.filter(pl.col("kind") == "brand")
    people = accounts.filter(pl.col("kind") == "person")
    assert brands.get_column("id").str.contains(r"^b\d{3}$").all()
    assert people.get_column("id").str.contains(r"^u\d{4}$").all()
    assert people.get_column("title").is_not_null().all()
    topics = set(accounts.get_column("topics").str.split(";").explode())
    assert topics == set(TOPICS)
    assert (accounts.get_column("followers_count") > 0).all()
    emails = accounts.get_column("email").drop_nulls()
    assert emails.str.contains(r"^[a-z0-9._-]+@example\.com$").all()
    assert accounts.get_column("url").str.contains(r"^https://example\.(com|org)/").all()


def test_unicode_handles_round_trip(accounts: pl.DataFrame) -> None:
    handles = set(accounts.get_column("handle"))
    assert {"josé_dev", "zoë.cloud", "søren.ops", "łukasz.sec"} <= handles
    assert any("\u4e00" <= char <= "\u9fff" for handle in handles for char in handle)
    names = set(accounts.get_column("name"))
    assert 'Patrick "PJ" O\'Neill' in names


def test_organizations_are_brand_accounts(accounts: pl.DataFrame) -> None:
    brand_ids = set(accounts.filter(pl.col("kind") == "brand").get_column("id"))
    organizations = set(accounts.get_column("organization").drop_nulls())
    assert organizations == brand_ids
    assert accounts.filter(pl.col("kind") == "brand").get_column("organization").is_null().all()


def test_edge_endpoints_are_accounts(
    accounts: pl.DataFrame, follows: pl.DataFrame, interactions: pl.DataFrame
) -> None:
    ids = set(accounts.get_column("id"))
    for table, columns in (
        (follows, ("follower", "followed")),
        (interactions, ("source", "target")),
    ):
        for column in columns:
            assert set(table.get_column(column)) <= ids


def test_follows_are_simple_edges(follows: pl.DataFrame) -> None:
    assert follows.filter(pl.col("follower") == pl.col("followed")).height == 0
    assert follows.select("follower", "followed").is_unique().all()
    assert set(follows.get_column("platform")) == {"x", "linkedin"}


def test_timestamps(follows: pl.DataFrame, interactions: pl.DataFrame) -> None:
    since = follows.get_column("since")
    timestamps = interactions.get_column("timestamp")
    assert since.str.contains(ISO_UTC_PATTERN).all()
    assert timestamps.str.contains(ISO_UTC_PATTERN).all()
    assert since.max() <= "2026-10-31T23:59:59Z"  # type: ignore[operator]
    assert "2025-11-01T00:00:00Z" <= timestamps.min() <= "2025-11-07T00:00:00Z"  # type: ignore[operator]
    assert "2026-10-24T00:00:00Z" <= timestamps.max() <= "2026-10-31T23:59:59Z"  # type: ignore[operator]


def test_interaction_types_and_duplicates(interactions: pl.DataFrame) -> None:
    assert set(interactions.get_column("type")) == set(INTERACTION_TYPES)
    assert interactions.filter(pl.col("source") == pl.col("target")).height == 0
    exact_duplicates = interactions.height - interactions.unique().height
    assert 1 <= exact_duplicates <= 50


def test_declared_followers_exceed_followers_in_data(in_degree: pl.DataFrame) -> None:
    assert (in_degree.get_column("followers_count") > in_degree.get_column("followers")).all()


def test_degrees_are_heavy_tailed_in_and_modest_out(
    in_degree: pl.DataFrame, follows: pl.DataFrame
) -> None:
    followers = in_degree.get_column("followers")
    assert followers.max() > 20 * followers.median()  # type: ignore[operator]
    top_one_percent = followers.sort(descending=True).head(in_degree.height // 100).sum()
    assert top_one_percent > 0.2 * follows.height
    out_degree = follows.group_by("follower").len().get_column("len")
    assert out_degree.quantile(0.9) < 3 * out_degree.median()  # type: ignore[operator]


def test_topic_homophily(accounts: pl.DataFrame, follows: pl.DataFrame) -> None:
    niche = accounts.select("id", pl.col("topics").str.split(";").list.first().alias("niche"))
    pairs = follows.join(niche, left_on="follower", right_on="id").join(
        niche, left_on="followed", right_on="id", suffix="_followed"
    )
    same_niche = (pairs.get_column("niche") == pairs.get_column("niche_followed")).mean()
    shuffled = pairs.get_column("niche_followed").shuffle(seed=1)
    same_niche_by_chance = (pairs.get_column("niche") == shuffled).mean()
    assert same_niche > 2 * same_niche_by_chance  # type: ignore[operator]


def test_story_1_personal_brands_outreach_the_corporate_brand(
    accounts: pl.DataFrame, follows: pl.DataFrame
) -> None:
    staff = staff_of(accounts, STAR_BRAND)
    insiders = {STAR_BRAND, *staff}
    brand_reach = followers_of(follows, [STAR_BRAND]) - insiders
    employee_reach = followers_of(follows, staff) - insiders
    assert len(employee_reach) > 3 * len(brand_reach)


def test_story_1_star_departure_costs_unique_reach(
    accounts: pl.DataFrame, follows: pl.DataFrame, in_degree: pl.DataFrame
) -> None:
    staff = staff_of(accounts, STAR_BRAND)
    star = id_of(accounts, STORY_HANDLES["star_employee"])
    assert star in staff
    most_followed_employee = (
        in_degree.filter(pl.col("id").is_in(staff)).sort("followers", descending=True).row(0)[0]
    )
    assert most_followed_employee == star
    insiders = {STAR_BRAND, *staff}
    star_audience = followers_of(follows, [star]) - insiders
    reached_without_star = followers_of(follows, [STAR_BRAND, *(s for s in staff if s != star)])
    unique_to_star = star_audience - reached_without_star
    assert len(unique_to_star) > 0.7 * len(star_audience)
    assert len(unique_to_star) > len(followers_of(follows, [STAR_BRAND]) - insiders)


def test_story_2_corporate_brand_dominates_its_employees(
    accounts: pl.DataFrame, follows: pl.DataFrame
) -> None:
    staff = staff_of(accounts, CORPORATE_BRAND)
    insiders = {CORPORATE_BRAND, *staff}
    brand_reach = followers_of(follows, [CORPORATE_BRAND]) - insiders
    employee_reach = followers_of(follows, staff) - insiders
    assert len(brand_reach) > 2 * len(employee_reach)


def test_story_3_expert_reaches_decision_makers(
    accounts: pl.DataFrame, follows: pl.DataFrame, interactions: pl.DataFrame
) -> None:
    expert = id_of(accounts, STORY_HANDLES["expert_employee"])
    star = id_of(accounts, STORY_HANDLES["star_employee"])
    expert_row = accounts.filter(pl.col("id") == expert).row(0, named=True)
    assert expert_row["organization"] == STAR_BRAND
    assert expert_row["title"] == "Security Architect"
    executives = decision_makers(accounts)
    expert_followers = followers_of(follows, [expert])
    star_followers = followers_of(follows, [star])
    assert len(expert_followers & executives) >= 40
    assert len(expert_followers & executives) > 0.5 * len(expert_followers)
    assert len(star_followers) > 3 * len(expert_followers)
    assert len(star_followers & executives) < 0.05 * len(star_followers)
    engaged = set(interactions.filter(pl.col("target") == expert).get_column("source"))
    assert len(engaged & executives) >= 30


def test_story_4_outside_influencers_have_the_largest_audiences(
    in_degree: pl.DataFrame,
) -> None:
    top = in_degree.sort("followers", descending=True).head(4)
    assert (top.get_column("kind") == "person").all()
    assert top.get_column("organization").is_null().all()
    assert (top.get_column("followers_count") >= 10_000).all()
    most_followed_brand_or_employee = (
        in_degree.filter((pl.col("kind") == "brand") | pl.col("organization").is_not_null())
        .get_column("followers")
        .max()
    )
    assert top.get_column("followers").min() > most_followed_brand_or_employee  # type: ignore[operator]
