"""Generate the graphkit demo dataset: a synthetic B2B social audience.

The dataset imitates an export that a marketing or sales team could pull from X and
LinkedIn about the market it sells into: about 3,000 accounts (a dozen vendor brands,
their employees, C-level buyers, practitioners, journalists, analysts and a few outside
influencers), who follows whom, and a year of interactions (reposts, quotes, replies,
mentions, likes, comments).

Three files are written to the output folder (``graphkit/data/demo`` by default):

``accounts.csv``
    ``id,handle,name,kind,organization,title,platform,topics,followers_count,email,url``.
``follows.csv.gz``
    ``follower,followed,platform,since``: the follower follows the followed account.
``interactions.csv.gz``
    ``source,target,type,timestamp``: the source paid attention to the target.

How the graph is drawn
----------------------
Every account gets a *popularity* (heavy-tailed, Pareto for practitioners) and a *follow
budget* (its out-degree, log-normal with a modest spread). Each account then picks its
follows without replacement with probability proportional to the popularity of the
candidate, multiplied by a topic homophily factor (shared topics, same niche), a role
affinity factor (executives follow brands, analysts and peers more than practitioners)
and a colleague factor. This fitness model (a static cousin of preferential attachment)
gives a power-law in-degree, topic niches and realistic company clusters. The sampling
uses the Gumbel top-k trick, so the whole graph is drawn with vectorised numpy.

Stories built into the data
---------------------------
1. ``b001`` (Northwind Cloud): the employees together reach several times more distinct
   outside followers than the corporate account, and one star employee (a Developer
   Advocate) has an audience that mostly follows neither the brand nor any colleague.
2. ``b002`` (Contoso Data): the corporate account out-reaches all of its employees.
3. A Security Architect at ``b001`` is followed by, and gets interactions from, many
   CTO/CIO/CISO accounts, while the far more followed star is followed by practitioners.
4. A handful of outside influencers (not employees of any brand) have the largest
   audiences in the data.

Run ``python datasets/demo.py`` or ``python -m datasets.demo`` (``--out DIR`` to write
elsewhere, ``--seed N`` for another draw). The output depends only on the seed: every
random draw comes from one ``numpy.random.default_rng(seed)`` stream, the CSV text is
written by the standard library and the gzip members carry no file name and ``mtime=0``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from urllib.parse import quote

import numpy as np
import polars as pl

DEFAULT_SEED = 20261031
"""Seed of the shipped demo dataset."""

DEFAULT_OUT_DIR = Path(__file__).resolve().parent.parent / "graphkit" / "data" / "demo"
"""Folder the shipped demo dataset lives in."""

ACCOUNTS_FILE = "accounts.csv"
FOLLOWS_FILE = "follows.csv.gz"
INTERACTIONS_FILE = "interactions.csv.gz"
DATASET_FILES = (ACCOUNTS_FILE, FOLLOWS_FILE, INTERACTIONS_FILE)

ACCOUNT_COLUMNS = (
    "id",
    "handle",
    "name",
    "kind",
    "organization",
    "title",
    "platform",
    "topics",
    "followers_count",
    "email",
    "url",
)
FOLLOW_COLUMNS = ("follower", "followed", "platform", "since")
INTERACTION_COLUMNS = ("source", "target", "type", "timestamp")

TOPICS = (
    "cloud",
    "security",
    "ai",
    "data",
    "devops",
    "fintech",
    "marketing",
    "saas",
    "open-source",
    "observability",
)
TOPIC_INDEX = {topic: position for position, topic in enumerate(TOPICS)}
TOPIC_SHARES = (0.16, 0.14, 0.14, 0.12, 0.10, 0.07, 0.08, 0.08, 0.06, 0.05)
"""How often each topic is the main niche of an account with no title-specific preference."""

RELATED_TOPICS = {
    "cloud": ("devops", "security", "saas", "observability", "data"),
    "security": ("cloud", "devops", "fintech", "ai"),
    "ai": ("data", "open-source", "cloud", "saas"),
    "data": ("ai", "cloud", "observability", "fintech"),
    "devops": ("cloud", "observability", "open-source", "security"),
    "fintech": ("saas", "security", "data", "ai"),
    "marketing": ("saas", "ai", "data"),
    "saas": ("marketing", "cloud", "fintech"),
    "open-source": ("devops", "ai", "cloud"),
    "observability": ("devops", "cloud", "data"),
}
"""Secondary topics that tend to come with a main topic."""

PLATFORMS = ("x", "linkedin")
DECISION_MAKER_TITLES = ("CTO", "CIO", "CISO")
"""Titles counted as technology buying decision makers in story 3."""

X_INTERACTION_TYPES = ("like", "reply", "repost", "quote", "mention")
X_INTERACTION_SHARES = (0.35, 0.22, 0.20, 0.10, 0.13)
LINKEDIN_INTERACTION_TYPES = ("like", "comment", "repost", "mention")
LINKEDIN_INTERACTION_SHARES = (0.45, 0.30, 0.15, 0.10)
INTERACTION_TYPES = ("repost", "quote", "reply", "mention", "like", "comment")

INTERACTION_WINDOW_START = np.datetime64("2025-11-01T00:00:00", "s")
INTERACTION_WINDOW_DAYS = 365
"""Interactions cover 2025-11-01 to 2026-10-31 (inclusive), twelve months."""
FOLLOW_HISTORY_START = np.datetime64("2016-01-01T00:00:00", "s")
FOLLOW_HISTORY_END = np.datetime64("2026-10-31T00:00:00", "s")
HOUR_OF_DAY_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1], dtype=float
)
"""Relative activity per UTC hour: people post and follow during working hours."""

FOLLOW_INTERACTION_COUNT = 22_000
"""Interactions drawn along follow edges (attention mostly follows following)."""
OUT_OF_NETWORK_INTERACTION_COUNT = 2_400
"""Interactions with accounts the source does not follow (mentions, replies to threads)."""
EXACT_DUPLICATE_INTERACTION_COUNT = 9
"""Interaction records repeated verbatim, as export pipelines occasionally do."""


class Role(IntEnum):
    """Audience segment of an account; drives popularity, follow budget and affinities."""

    BRAND = 0
    EMPLOYEE = 1
    EXECUTIVE = 2
    SENIOR = 3
    PRACTITIONER = 4
    MEDIA = 5
    INFLUENCER = 6


ROLE_AFFINITY = np.array(
    [
        # brand employee executive senior practitioner media influencer   <- followed
        [0.5, 3.0, 0.5, 1.0, 0.5, 2.0, 1.0],  # brand follows
        [1.5, 1.0, 0.5, 1.0, 1.0, 1.0, 1.5],  # employee follows
        [3.0, 1.0, 2.5, 2.0, 0.25, 3.0, 1.5],  # executive follows
        [2.0, 1.0, 2.0, 1.5, 0.6, 2.0, 1.5],  # senior follows
        [1.0, 1.0, 0.3, 0.8, 1.0, 0.7, 1.5],  # practitioner follows
        [2.0, 1.0, 1.5, 1.5, 0.6, 2.0, 1.5],  # media follows
        [1.0, 1.0, 0.5, 1.0, 1.0, 1.5, 3.0],  # influencer follows
    ]
)
"""Multiplier on the chance that an account of the row role follows one of the column role."""

SHARED_TOPIC_BOOST = 2.0
"""Each topic two accounts share adds this much to the follow weight multiplier."""
SAME_NICHE_BOOST = 3.0
"""Multiplier when both accounts have the same main topic (niche)."""
COLLEAGUE_BOOST = 25.0
"""Multiplier when both accounts work for the same brand."""

ROLE_FOLLOW_BUDGET = {
    Role.BRAND: (5.0, 0.5),
    Role.EMPLOYEE: (13.0, 0.5),
    Role.EXECUTIVE: (10.0, 0.45),
    Role.SENIOR: (14.0, 0.5),
    Role.PRACTITIONER: (15.0, 0.5),
    Role.MEDIA: (35.0, 0.4),
    Role.INFLUENCER: (22.0, 0.4),
}
"""Median and log-normal sigma of the number of accounts followed, per role."""

ROLE_ACTIVITY = {
    Role.BRAND: 1.5,
    Role.EMPLOYEE: 1.2,
    Role.EXECUTIVE: 0.5,
    Role.SENIOR: 0.8,
    Role.PRACTITIONER: 1.0,
    Role.MEDIA: 2.0,
    Role.INFLUENCER: 3.0,
}
"""Median interaction propensity per role (executives mostly lurk)."""

ROLE_LINKEDIN_SHARE = {
    Role.EMPLOYEE: 0.55,
    Role.EXECUTIVE: 0.8,
    Role.SENIOR: 0.7,
    Role.PRACTITIONER: 0.35,
    Role.MEDIA: 0.3,
}
"""Chance that a person's main platform is LinkedIn rather than X."""

DECLARED_FOLLOWER_MULTIPLIER = {
    Role.BRAND: 3.6,
    Role.EMPLOYEE: 2.4,
    Role.EXECUTIVE: 2.6,
    Role.SENIOR: 2.6,
    Role.PRACTITIONER: 2.3,
    Role.MEDIA: 3.4,
    Role.INFLUENCER: 4.4,
}
"""Mean log ratio between the platform-declared follower count and the in-data count."""


@dataclass(frozen=True)
class BrandSpec:
    """A vendor brand account and its workforce in the data.

    Parameters
    ----------
    id : str
        Account id (``b001`` ...).
    handle, name : str
        Social handle and display name.
    topics : tuple of str
        Topics the brand talks about, main topic first.
    platform : str
        Main platform of the corporate account.
    headcount : int
        Number of employees with an account in the data.
    popularity : float or None
        Expected audience size before story adjustments; ``None`` draws one.
    employee_popularity_scale : float
        Multiplier on the popularity of the brand's employees.
    """

    id: str
    handle: str
    name: str
    topics: tuple[str, ...]
    platform: str
    headcount: int
    popularity: float | None = None
    employee_popularity_scale: float = 1.0


@dataclass(frozen=True)
class PinnedPerson:
    """A person whose attributes are fixed rather than drawn (story and encoding cases).

    Parameters
    ----------
    key : str
        Name of the role this person plays in the stories (see `STORY_HANDLES`).
    handle, name, title : str
        Social handle, display name and job title.
    topics : tuple of str
        Topics, main topic first.
    platform : str
        Main platform.
    role : Role
        Audience segment.
    organization : str
        Brand id of the employer, empty for independent people.
    popularity : float or None
        Expected audience size before story adjustments; ``None`` draws one.
    """

    key: str
    handle: str
    name: str
    title: str
    topics: tuple[str, ...]
    platform: str
    role: Role
    organization: str = ""
    popularity: float | None = None


STAR_BRAND = "b001"
"""Brand whose employees out-reach the corporate account (story 1 and 3)."""
CORPORATE_BRAND = "b002"
"""Brand whose corporate account dominates its employees (story 2)."""

BRANDS = (
    BrandSpec(
        id="b001",
        handle="northwindcloud",
        name="Northwind Cloud",
        topics=("cloud", "security", "devops"),
        platform="linkedin",
        headcount=40,
        popularity=170.0,
        employee_popularity_scale=2.2,
    ),
    BrandSpec(
        id="b002",
        handle="contosodata",
        name="Contoso Data",
        topics=("data", "ai"),
        platform="linkedin",
        headcount=36,
        popularity=650.0,
        employee_popularity_scale=0.3,
    ),
    BrandSpec("b003", "fabrikamsec", "Fabrikam Security", ("security",), "linkedin", 26),
    BrandSpec("b004", "tailspin_ai", "Tailspin AI", ("ai", "data"), "x", 24),
    BrandSpec("b005", "woodgrovepay", "Woodgrove Payments", ("fintech", "saas"), "linkedin", 22),
    BrandSpec("b006", "litwareops", "Litware DevOps", ("devops", "open-source"), "x", 22),
    BrandSpec("b007", "wingtipsaas", "Wingtip SaaS", ("saas", "marketing"), "linkedin", 22),
    BrandSpec("b008", "proseware_io", "Proseware Observability", ("observability",), "x", 22),
    BrandSpec("b009", "adatumlabs", "Adatum Labs", ("open-source", "ai"), "x", 22),
    BrandSpec("b010", "lucernemkt", "Lucerne Marketing Cloud", ("marketing", "ai"), "linkedin", 22),
    BrandSpec("b011", "alpineanalytics", "Alpine Analytics", ("data", "fintech"), "linkedin", 21),
    BrandSpec("b012", "blueyondersys", "Blue Yonder Systems", ("cloud", "observability"), "x", 21),
)

PINNED_PEOPLE = (
    PinnedPerson(
        key="star_employee",
        handle="maya_builds",
        name="Maya Okafor",
        title="Developer Advocate",
        topics=("cloud", "devops", "open-source"),
        platform="x",
        role=Role.EMPLOYEE,
        organization=STAR_BRAND,
        popularity=700.0,
    ),
    PinnedPerson(
        key="expert_employee",
        handle="dreyes_secarch",
        name="Daniel Reyes",
        title="Security Architect",
        topics=("security", "cloud"),
        platform="linkedin",
        role=Role.EMPLOYEE,
        organization=STAR_BRAND,
        popularity=22.0,
    ),
    PinnedPerson(
        key="influencer_cloud",
        handle="adabrightwater",
        name="Ada Brightwater",
        title="Founder",
        topics=("cloud", "devops", "saas"),
        platform="x",
        role=Role.INFLUENCER,
        popularity=1150.0,
    ),
    PinnedPerson(
        key="influencer_data",
        handle="thedatathorne",
        name="Marcus Thorne",
        title="Data Scientist",
        topics=("data", "ai"),
        platform="x",
        role=Role.INFLUENCER,
        popularity=850.0,
    ),
    PinnedPerson(
        key="influencer_ai",
        handle="chenjing_ai",
        name="陈静",
        title="Founder",
        topics=("ai", "open-source", "data"),
        platform="x",
        role=Role.INFLUENCER,
        popularity=900.0,
    ),
    PinnedPerson(
        key="influencer_security",
        handle="priya_threatintel",
        name="Priya Raman",
        title="Security Researcher",
        topics=("security", "cloud"),
        platform="linkedin",
        role=Role.INFLUENCER,
        popularity=1000.0,
    ),
    PinnedPerson(
        key="influencer_marketing",
        handle="growthwithtom",
        name="Tom Okonkwo",
        title="Marketing Advisor",
        topics=("marketing", "saas", "ai"),
        platform="linkedin",
        role=Role.INFLUENCER,
        popularity=750.0,
    ),
    PinnedPerson(
        key="unicode_employee",
        handle="josé_dev",
        name="José Martínez",
        title="Software Engineer",
        topics=("cloud", "devops"),
        platform="x",
        role=Role.EMPLOYEE,
        organization=STAR_BRAND,
    ),
    PinnedPerson(
        key="unicode_practitioner",
        handle="zoë.cloud",
        name="Zoë Becker",
        title="Solutions Architect",
        topics=("cloud", "saas"),
        platform="linkedin",
        role=Role.PRACTITIONER,
    ),
    PinnedPerson(
        key="cjk_practitioner",
        handle="李伟_data",
        name="李伟",
        title="Data Scientist",
        topics=("data", "ai"),
        platform="x",
        role=Role.PRACTITIONER,
    ),
    PinnedPerson(
        key="nordic_practitioner",
        handle="søren.ops",
        name="Søren Kjær",
        title="Site Reliability Engineer",
        topics=("observability", "devops"),
        platform="x",
        role=Role.PRACTITIONER,
    ),
    PinnedPerson(
        key="unicode_executive",
        handle="łukasz.sec",
        name="Łukasz Wróbel",
        title="CISO",
        topics=("security", "fintech"),
        platform="linkedin",
        role=Role.EXECUTIVE,
    ),
    PinnedPerson(
        key="quoted_name_journalist",
        handle="pj_oneill",
        name='Patrick "PJ" O\'Neill',
        title="Journalist",
        topics=("saas", "cloud"),
        platform="x",
        role=Role.MEDIA,
    ),
)

STORY_HANDLES = {person.key: person.handle for person in PINNED_PEOPLE}
"""Handles of the pinned people, by the role they play in the stories."""

BRAND_LEADERSHIP_TITLES = ("CEO", "CTO", "CMO")
EMPLOYEE_TITLES = {
    "Software Engineer": 0.22,
    "Solutions Architect": 0.12,
    "Developer Advocate": 0.06,
    "Product Manager": 0.10,
    "Marketing Manager": 0.10,
    "Data Scientist": 0.08,
    "Account Executive": 0.10,
    "Security Engineer": 0.05,
    "Site Reliability Engineer": 0.05,
    "Head of Data": 0.03,
    "VP Engineering": 0.03,
    "Customer Success Manager": 0.06,
}
EXECUTIVE_TITLES = {"CTO": 45, "CIO": 35, "CISO": 40, "CFO": 30}
SENIOR_TITLES = {"CEO": 30, "CMO": 20, "VP Engineering": 35, "Head of Data": 25, "Founder": 45}
MEDIA_TITLES = {"Journalist": 16, "Analyst": 14}
PRACTITIONER_TITLES = {
    "Software Engineer": 0.24,
    "Data Scientist": 0.10,
    "Data Engineer": 0.08,
    "Solutions Architect": 0.08,
    "DevOps Engineer": 0.08,
    "Site Reliability Engineer": 0.05,
    "Security Engineer": 0.07,
    "Developer Advocate": 0.03,
    "Product Manager": 0.08,
    "Marketing Manager": 0.08,
    "Consultant": 0.05,
    "Sales Engineer": 0.03,
    "Growth Marketer": 0.03,
}
PRACTITIONER_COUNT = 2_348
"""Independent practitioners; brings the dataset to exactly 3,000 accounts."""

TITLE_TOPIC_HINTS = {
    "CTO": ("cloud", "ai", "devops", "data"),
    "CIO": ("cloud", "data", "saas", "security"),
    "CISO": ("security",),
    "CFO": ("fintech", "saas"),
    "CEO": ("saas", "ai", "fintech"),
    "CMO": ("marketing", "saas"),
    "VP Engineering": ("cloud", "devops", "open-source"),
    "Head of Data": ("data", "ai"),
    "Data Scientist": ("ai", "data"),
    "Data Engineer": ("data", "cloud"),
    "DevOps Engineer": ("devops", "cloud", "observability"),
    "Site Reliability Engineer": ("observability", "devops", "cloud"),
    "Security Engineer": ("security",),
    "Solutions Architect": ("cloud", "saas", "data"),
    "Developer Advocate": ("open-source", "cloud", "ai"),
    "Marketing Manager": ("marketing", "saas"),
    "Growth Marketer": ("marketing", "saas"),
    "Account Executive": ("saas",),
    "Sales Engineer": ("saas", "cloud"),
}
"""Main topics a title leans to (used 70% of the time)."""

_FIRST_NAMES_TEXT = """
Aarav Abigail Adebayo Aiko Alejandro Amara Ana Andrei Anika Arjun Astrid Beatriz Ben Camille
Carlos Chloe Daria David Deepa Diego Elena Emeka Emily Erik Fatima Felix Gabriel Grace Hana
Hannah Hiroshi Ibrahim Ines Isaac Ivan Jamal Jana Javier Jin Julia Kai Karim Katarina Kenji
Laila Lars Leila Liam Lucas Lucia Mateo Mei Mohammed Nadia Naomi Nikhil Nina Noah Olga Omar
Oscar Paulo Rafael Rahul Ravi Rosa Sakura Samuel Sara Sofia Tariq Thabo Tomas Valentina Victor
Wei Yara Yusuf Zara Owen Freya Kofi Marta Hugo Ingrid Malik
"""
FIRST_NAMES = tuple(_FIRST_NAMES_TEXT.split())
_LAST_NAMES_TEXT = """
Abara Adeyemi Alvarez Andersen Bauer Bianchi Brennan Campbell Castillo Chandra Chen Cohen Costa
Dahl Das Dubois Eriksson Fischer Fernandes Garcia Gupta Haddad Hansen Hoffmann Ibrahim Ito
Jensen Kapoor Kim Kowalski Larsen Lee Lindqvist Lopez Mahlangu Martin Mendes Mensah Moreau
Murphy Nakamura Nguyen Novak Okoro Olsen Ortiz Park Patel Petrov Quinn Rossi Sato Schmidt Shah
Silva Singh Sokolov Tanaka Torres Tran Vargas Walsh Weber Wong Yamamoto Yilmaz Zhang Zimmerman
Baptiste Horvat
"""
LAST_NAMES = tuple(_LAST_NAMES_TEXT.split())
HANDLE_SUFFIXES = ("dev", "data", "sec", "ops", "ai", "cloud", "io", "tech", "hq", "codes")


@dataclass
class Population:
    """All accounts of the dataset, one position per account, in output (id) order.

    Attributes
    ----------
    ids, handles, names, titles, platforms, emails, urls : list of str
        Output columns (``titles`` and ``emails`` hold ``""`` where empty).
    topics : list of tuple of str
        Topics of each account, main topic first.
    role : numpy.ndarray
        `Role` value of each account.
    employer : numpy.ndarray
        Position of the brand account each person works for, ``-1`` when none.
    topic_matrix : numpy.ndarray
        Boolean (accounts, topics) membership matrix.
    main_topic : numpy.ndarray
        Index in `TOPICS` of each account's main topic (its niche).
    popularity : numpy.ndarray
        Relative attractiveness as a follow target (roughly an expected follower count).
    follow_budget : numpy.ndarray
        Number of accounts each account follows before story adjustments.
    activity : numpy.ndarray
        Relative propensity to interact.
    on_linkedin : numpy.ndarray
        Whether the account's main platform is LinkedIn.
    """

    ids: list[str]
    handles: list[str]
    names: list[str]
    titles: list[str]
    platforms: list[str]
    emails: list[str]
    urls: list[str]
    topics: list[tuple[str, ...]]
    role: np.ndarray
    employer: np.ndarray
    topic_matrix: np.ndarray
    main_topic: np.ndarray
    popularity: np.ndarray
    follow_budget: np.ndarray
    activity: np.ndarray
    on_linkedin: np.ndarray

    @property
    def size(self) -> int:
        """Number of accounts."""
        return len(self.ids)

    def position_of_handle(self, handle: str) -> int:
        """Return the position of the account with the given handle."""
        return self.handles.index(handle)

    def position_of_id(self, account_id: str) -> int:
        """Return the position of the account with the given id."""
        return self.ids.index(account_id)


@dataclass
class _PersonDraft:
    """A person before ids are assigned."""

    title: str
    role: Role
    organization: str
    pinned: PinnedPerson | None = None
    popularity_scale: float = 1.0


@dataclass
class _AccountRow:
    """One account before the columns are assembled into a `Population`."""

    id: str
    handle: str
    name: str
    title: str
    organization: str
    platform: str
    topics: tuple[str, ...]
    role: Role
    email: str
    url: str
    popularity: float | None
    popularity_scale: float = 1.0


_UNDECOMPOSABLE_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "œ": "oe"}
)
"""Latin letters that Unicode does not decompose into an ASCII base letter."""


def ascii_slug(text: str) -> str:
    """Fold text to lowercase ASCII letters, digits, dots, dashes and underscores.

    Parameters
    ----------
    text : str
        Any text, possibly with accents or non-Latin scripts.

    Returns
    -------
    str
        The folded text; empty when nothing Latin is left (e.g. a CJK name).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE_LETTERS))
    folded = decomposed.encode("ascii", "ignore").decode("ascii")
    kept = "".join(char for char in folded.lower() if char.isalnum() or char in "._-")
    return kept.strip("._-")


def _draw_topics(
    rng: np.random.Generator, title: str, extra_topic_weights: Sequence[float] = (0.3, 0.5, 0.2)
) -> tuple[str, ...]:
    """Draw a main topic (leaning on the title) and zero to two related topics."""
    hints = TITLE_TOPIC_HINTS.get(title)
    if hints is not None and rng.random() < 0.7:
        main = hints[int(rng.integers(len(hints)))]
    else:
        main = TOPICS[int(rng.choice(len(TOPICS), p=np.asarray(TOPIC_SHARES)))]
    chosen = [main]
    extra_count = int(rng.choice(len(extra_topic_weights), p=np.asarray(extra_topic_weights)))
    while len(chosen) < 1 + extra_count:
        pool = RELATED_TOPICS[main] if rng.random() < 0.8 else TOPICS
        candidate = pool[int(rng.integers(len(pool)))]
        if candidate not in chosen:
            chosen.append(candidate)
    return tuple(chosen)


def _draw_name(rng: np.random.Generator) -> tuple[str, str]:
    """Draw a first and last name."""
    first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
    return first, last


def _draw_handle(
    rng: np.random.Generator, first: str, last: str, main_topic: str, taken: set[str]
) -> str:
    """Draw a unique, plausible handle for a person."""
    first_slug, last_slug = ascii_slug(first), ascii_slug(last)
    topic_slug = main_topic.replace("-", "")
    suffix = HANDLE_SUFFIXES[int(rng.integers(len(HANDLE_SUFFIXES)))]
    patterns = (
        f"{first_slug}{last_slug}",
        f"{first_slug}_{last_slug}",
        f"{first_slug[0]}{last_slug}",
        f"{first_slug}.{topic_slug}",
        f"{last_slug}_{suffix}",
        f"{first_slug}{last_slug}{int(rng.integers(10, 100))}",
    )
    handle = patterns[int(rng.integers(len(patterns)))]
    candidate, counter = handle, 1
    while candidate in taken:
        counter += 1
        candidate = f"{handle}{counter}"
    taken.add(candidate)
    return candidate


def _draft_people(rng: np.random.Generator) -> list[_PersonDraft]:
    """List every person to create, with title, role and employer."""
    drafts: list[_PersonDraft] = [
        _PersonDraft(person.title, person.role, person.organization, pinned=person)
        for person in PINNED_PEOPLE
    ]
    pinned_per_brand: dict[str, int] = {}
    for person in PINNED_PEOPLE:
        if person.organization:
            pinned_per_brand[person.organization] = pinned_per_brand.get(person.organization, 0) + 1
    employee_titles = list(EMPLOYEE_TITLES)
    employee_title_weights = np.asarray(list(EMPLOYEE_TITLES.values()))
    for brand in BRANDS:
        open_seats = brand.headcount - pinned_per_brand.get(brand.id, 0)
        titles = list(BRAND_LEADERSHIP_TITLES)
        picks = rng.choice(
            len(employee_titles), size=open_seats - len(titles), p=employee_title_weights
        )
        titles += [employee_titles[pick] for pick in picks]
        drafts += [
            _PersonDraft(title, Role.EMPLOYEE, brand.id, None, brand.employee_popularity_scale)
            for title in titles
        ]
    for role, counts in (
        (Role.EXECUTIVE, EXECUTIVE_TITLES),
        (Role.SENIOR, SENIOR_TITLES),
        (Role.MEDIA, MEDIA_TITLES),
    ):
        pinned_titles = [person.title for person in PINNED_PEOPLE if person.role is role]
        for title, count in counts.items():
            drafts += [
                _PersonDraft(title, role, "") for _ in range(count - pinned_titles.count(title))
            ]
    pinned_practitioners = sum(person.role is Role.PRACTITIONER for person in PINNED_PEOPLE)
    practitioner_titles = list(PRACTITIONER_TITLES)
    picks = rng.choice(
        len(practitioner_titles),
        size=PRACTITIONER_COUNT - pinned_practitioners,
        p=np.asarray(list(PRACTITIONER_TITLES.values())),
    )
    drafts += [_PersonDraft(practitioner_titles[pick], Role.PRACTITIONER, "") for pick in picks]
    return drafts


def _draw_popularity(rng: np.random.Generator, roles: np.ndarray) -> np.ndarray:
    """Draw heavy-tailed popularity per role (roughly an expected follower count)."""
    count = len(roles)
    practitioner = np.minimum(2.0 * (1.0 + rng.pareto(1.25, count)), 320.0)
    employee = np.minimum(3.0 * (1.0 + rng.pareto(1.6, count)), 200.0)
    executive = rng.lognormal(np.log(4.0), 0.6, count)
    senior = rng.lognormal(np.log(7.0), 0.8, count)
    media = rng.lognormal(np.log(110.0), 0.45, count)
    brand = rng.uniform(90.0, 300.0, count)
    by_role = {
        Role.BRAND: brand,
        Role.EMPLOYEE: employee,
        Role.EXECUTIVE: executive,
        Role.SENIOR: senior,
        Role.PRACTITIONER: practitioner,
        Role.MEDIA: media,
        Role.INFLUENCER: media * 8.0,
    }
    popularity = np.empty(count)
    for role, values in by_role.items():
        popularity[roles == role] = values[roles == role]
    return popularity


def _draw_per_role_lognormal(
    rng: np.random.Generator, roles: np.ndarray, parameters: dict[Role, tuple[float, float]]
) -> np.ndarray:
    """Draw a log-normal value per account from role-specific (median, sigma)."""
    medians = np.array([parameters[Role(role)][0] for role in roles])
    sigmas = np.array([parameters[Role(role)][1] for role in roles])
    return medians * np.exp(sigmas * rng.standard_normal(len(roles)))


def build_population(rng: np.random.Generator) -> Population:
    """Create every account of the demo dataset.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    Population
        Accounts in output order: brands (``b001`` ...) then people (``u0001`` ...).
    """
    drafts = _draft_people(rng)
    person_numbers = rng.permutation(len(drafts)) + 1
    taken_handles = {brand.handle for brand in BRANDS} | set(STORY_HANDLES.values())

    rows: list[_AccountRow] = []
    for brand in BRANDS:
        slug = ascii_slug(brand.name.replace(" ", "-"))
        rows.append(
            _AccountRow(
                id=brand.id,
                handle=brand.handle,
                name=brand.name,
                title="",
                organization="",
                platform=brand.platform,
                topics=brand.topics,
                role=Role.BRAND,
                email=f"{slug}@example.com",
                url=f"https://example.com/{slug}",
                popularity=brand.popularity,
            )
        )
    used_emails: set[str] = set()
    for draft, number in zip(drafts, person_numbers, strict=True):
        account_id = f"u{number:04d}"
        pinned = draft.pinned
        if pinned is not None:
            name, handle, topics = pinned.name, pinned.handle, pinned.topics
            platform, fixed_popularity = pinned.platform, pinned.popularity
            first, last = name.split()[0], name.split()[-1]
        else:
            first, last = _draw_name(rng)
            name = f"{first} {last}"
            topics = _draw_topics(rng, draft.title)
            handle = _draw_handle(rng, first, last, topics[0], taken_handles)
            platform = "linkedin" if rng.random() < ROLE_LINKEDIN_SHARE[draft.role] else "x"
            fixed_popularity = None
        email = ""
        if rng.random() < (0.9 if draft.organization else 0.6):
            local = f"{ascii_slug(first)}.{ascii_slug(last)}".strip(".")
            local = local if first != last else ascii_slug(handle)
            local = local or account_id
            if local in used_emails:
                local = f"{local}.{number:04d}"
            used_emails.add(local)
            email = f"{local}@example.com"
        profile_path = "in" if platform == "linkedin" else "x"
        rows.append(
            _AccountRow(
                id=account_id,
                handle=handle,
                name=name,
                title=draft.title,
                organization=draft.organization,
                platform=platform,
                topics=topics,
                role=draft.role,
                email=email,
                url=f"https://example.org/{profile_path}/{quote(handle, safe='._-')}",
                popularity=fixed_popularity,
                popularity_scale=draft.popularity_scale,
            )
        )
    rows.sort(key=lambda row: row.id)

    roles = np.array([int(row.role) for row in rows])
    ids = [row.id for row in rows]
    position_by_id = {account_id: position for position, account_id in enumerate(ids)}
    employer = np.array(
        [position_by_id[row.organization] if row.organization else -1 for row in rows]
    )
    topic_matrix = np.zeros((len(rows), len(TOPICS)), dtype=bool)
    for position, row in enumerate(rows):
        topic_matrix[position, [TOPIC_INDEX[topic] for topic in row.topics]] = True
    main_topic = np.array([TOPIC_INDEX[row.topics[0]] for row in rows])

    drawn_popularity = _draw_popularity(rng, roles)
    pinned_popularity = np.array(
        [np.nan if row.popularity is None else row.popularity for row in rows]
    )
    popularity_scale = np.array([row.popularity_scale for row in rows])
    is_drawn = np.isnan(pinned_popularity)
    popularity = np.where(is_drawn, drawn_popularity * popularity_scale, pinned_popularity)

    follow_budget = np.clip(
        np.rint(_draw_per_role_lognormal(rng, roles, ROLE_FOLLOW_BUDGET)), 2, 120
    ).astype(np.int64)
    activity_medians = np.array([ROLE_ACTIVITY[Role(role)] for role in roles])
    activity = activity_medians * np.exp(0.9 * rng.standard_normal(len(rows)))
    return Population(
        ids=ids,
        handles=[row.handle for row in rows],
        names=[row.name for row in rows],
        titles=[row.title for row in rows],
        platforms=[row.platform for row in rows],
        emails=[row.email for row in rows],
        urls=[row.url for row in rows],
        topics=[row.topics for row in rows],
        role=roles,
        employer=employer,
        topic_matrix=topic_matrix,
        main_topic=main_topic,
        popularity=popularity,
        follow_budget=follow_budget,
        activity=activity,
        on_linkedin=np.array([row.platform == "linkedin" for row in rows]),
    )


def _follow_weights(population: Population, followers: np.ndarray) -> np.ndarray:
    """Return the (followers, accounts) matrix of relative chances to follow."""
    topic_matrix = population.topic_matrix.astype(np.float64)
    shared_topics = topic_matrix[followers] @ topic_matrix.T
    same_niche = population.main_topic[followers, None] == population.main_topic[None, :]
    employer = population.employer
    colleagues = (employer[followers, None] == employer[None, :]) & (employer[followers, None] >= 0)
    weights: np.ndarray = (
        population.popularity[None, :]
        * (1.0 + SHARED_TOPIC_BOOST * shared_topics)
        * np.where(same_niche, SAME_NICHE_BOOST, 1.0)
        * ROLE_AFFINITY[population.role[followers][:, None], population.role[None, :]]
        * np.where(colleagues, COLLEAGUE_BOOST, 1.0)
    )
    # Decision makers hardly follow the star developer advocate: her audience is builders.
    star = population.position_of_handle(STORY_HANDLES["star_employee"])
    weights[_is_decision_maker(population)[followers], star] *= 0.05
    weights[np.arange(len(followers)), followers] = 0.0  # nobody follows themselves
    return weights


def _is_decision_maker(population: Population) -> np.ndarray:
    """Boolean mask of accounts whose title is in `DECISION_MAKER_TITLES`."""
    return np.isin(np.asarray(population.titles), DECISION_MAKER_TITLES)


def sample_background_follows(
    rng: np.random.Generator, population: Population, chunk_size: int = 250
) -> tuple[np.ndarray, np.ndarray]:
    """Draw who follows whom from popularity, homophily and role affinities.

    Each account picks ``follow_budget`` distinct accounts with probability proportional
    to `_follow_weights`, using the Gumbel top-k trick (the k largest of
    ``log(weight) + Gumbel noise`` are a weighted sample without replacement).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    population : Population
        The accounts.
    chunk_size : int, default 250
        Followers processed per vectorised block.

    Returns
    -------
    tuple of numpy.ndarray
        Follower and followed positions of each edge.
    """
    follower_parts, followed_parts = [], []
    for start in range(0, population.size, chunk_size):
        followers = np.arange(start, min(start + chunk_size, population.size))
        weights = _follow_weights(population, followers)
        with np.errstate(divide="ignore"):
            keys = np.log(weights) + rng.gumbel(size=weights.shape)
        budgets = population.follow_budget[followers]
        widest = int(budgets.max())
        candidates = np.argpartition(-keys, widest - 1, axis=1)[:, :widest]
        ranking = np.argsort(-np.take_along_axis(keys, candidates, axis=1), axis=1, kind="stable")
        ranked = np.take_along_axis(candidates, ranking, axis=1)
        within_budget = np.arange(widest)[None, :] < budgets[:, None]
        follower_parts.append(np.repeat(followers, budgets))
        followed_parts.append(ranked[within_budget])
    return np.concatenate(follower_parts), np.concatenate(followed_parts)


def _edge_keys(followers: np.ndarray, followed: np.ndarray, size: int) -> np.ndarray:
    """Encode edges as single integers (sortable in follower, then followed, order)."""
    keys: np.ndarray = followers.astype(np.int64) * size + followed
    return keys


def apply_story_adjustments(
    rng: np.random.Generator,
    population: Population,
    followers: np.ndarray,
    followed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Add and remove follows so that the four stories are unmistakable.

    * employees follow their own brand (90%);
    * CISOs (75%), CTOs and CIOs (50%) follow the ``b001`` Security Architect;
    * outside followers of ``b002`` employees also follow the ``b002`` brand (85%);
    * outside followers of the ``b001`` star stop following the ``b001`` brand and the
      star's colleagues (90%), so her audience is her own.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    population : Population
        The accounts.
    followers, followed : numpy.ndarray
        Background follow edges.

    Returns
    -------
    tuple of numpy.ndarray
        Adjusted, de-duplicated edges sorted by follower then followed.
    """
    size = population.size
    keys = np.unique(_edge_keys(followers, followed, size))
    employer = population.employer

    employees = np.flatnonzero(employer >= 0)
    joins_brand = employees[rng.random(len(employees)) < 0.9]
    new_keys = [_edge_keys(joins_brand, employer[joins_brand], size)]

    expert = population.position_of_handle(STORY_HANDLES["expert_employee"])
    titles = np.asarray(population.titles)
    follow_chance = np.select([titles == "CISO", np.isin(titles, ("CTO", "CIO"))], [0.75, 0.5], 0.0)
    follow_chance[employer == employer[expert]] = 0.0
    executives = np.flatnonzero(rng.random(size) < follow_chance)
    new_keys.append(_edge_keys(executives, np.full(len(executives), expert), size))
    keys = np.unique(np.concatenate([keys, *new_keys]))

    corporate = population.position_of_id(CORPORATE_BRAND)
    corporate_staff = np.flatnonzero(employer == corporate)
    edge_followers, edge_followed = np.divmod(keys, size)
    staff_followers = np.unique(edge_followers[np.isin(edge_followed, corporate_staff)])
    staff_followers = staff_followers[employer[staff_followers] != corporate]
    staff_followers = staff_followers[staff_followers != corporate]
    converts = staff_followers[rng.random(len(staff_followers)) < 0.85]
    keys = np.unique(
        np.concatenate([keys, _edge_keys(converts, np.full(len(converts), corporate), size)])
    )

    star = population.position_of_handle(STORY_HANDLES["star_employee"])
    star_brand = employer[star]
    edge_followers, edge_followed = np.divmod(keys, size)
    star_followers = edge_followers[edge_followed == star]
    star_followers = star_followers[
        (employer[star_followers] != star_brand) & (star_followers != star_brand)
    ]
    loyal_to_star = star_followers[rng.random(len(star_followers)) < 0.9]
    star_circle = np.flatnonzero((employer == star_brand) | (np.arange(size) == star_brand))
    star_circle = star_circle[star_circle != star]
    dropped = np.isin(edge_followers, loyal_to_star) & np.isin(edge_followed, star_circle)
    keys = keys[~dropped]
    return np.divmod(keys, size)


def _draw_hours(rng: np.random.Generator, count: int) -> np.ndarray:
    """Draw UTC hours of the day following `HOUR_OF_DAY_WEIGHTS`."""
    return rng.choice(24, size=count, p=HOUR_OF_DAY_WEIGHTS / HOUR_OF_DAY_WEIGHTS.sum())


def _iso_utc(moments: np.ndarray) -> np.ndarray:
    """Format ``datetime64[s]`` values as ``YYYY-MM-DDTHH:MM:SSZ`` strings."""
    return np.datetime_as_string(moments.astype("datetime64[s]"), unit="s", timezone="UTC")


def draw_follow_details(
    rng: np.random.Generator, population: Population, followers: np.ndarray, followed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the platform and the start time of each follow.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    population : Population
        The accounts.
    followers, followed : numpy.ndarray
        Follow edges.

    Returns
    -------
    tuple of numpy.ndarray
        Platform names and ISO-8601 UTC ``since`` strings (whole hours, skewed to recent).
    """
    count = len(followers)
    on_linkedin = np.where(
        rng.random(count) < 0.8,
        population.on_linkedin[followed],
        population.on_linkedin[followers],
    )
    platforms = np.where(on_linkedin, "linkedin", "x")
    history_days = int((FOLLOW_HISTORY_END - FOLLOW_HISTORY_START) // np.timedelta64(1, "D"))
    days = np.floor(rng.beta(2.5, 1.0, count) * history_days).astype(np.int64)
    hours = _draw_hours(rng, count)
    since = FOLLOW_HISTORY_START + (days * 24 + hours) * np.timedelta64(3600, "s")
    return platforms, _iso_utc(since)


def sample_interactions(
    rng: np.random.Generator, population: Population, followers: np.ndarray, followed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw a year of interactions, mostly along follow edges.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    population : Population
        The accounts.
    followers, followed : numpy.ndarray
        Final follow edges.

    Returns
    -------
    tuple of numpy.ndarray
        Source positions, target positions, interaction types and ISO-8601 timestamps,
        sorted by timestamp.
    """
    popularity, activity = population.popularity, population.activity
    edge_weights = activity[followers] * np.sqrt(popularity[followed])
    picked = rng.choice(
        len(followers), size=FOLLOW_INTERACTION_COUNT, p=edge_weights / edge_weights.sum()
    )
    sources, targets = [followers[picked]], [followed[picked]]

    outsiders = rng.choice(
        population.size, size=OUT_OF_NETWORK_INTERACTION_COUNT, p=activity / activity.sum()
    )
    spotlight = rng.choice(
        population.size, size=OUT_OF_NETWORK_INTERACTION_COUNT, p=popularity / popularity.sum()
    )
    sources.append(outsiders)
    targets.append(spotlight)

    expert = population.position_of_handle(STORY_HANDLES["expert_employee"])
    expert_audience = followers[(followed == expert) & _is_decision_maker(population)[followers]]
    repeats = rng.poisson(2.2, len(expert_audience))
    sources.append(np.repeat(expert_audience, repeats))
    targets.append(np.full(int(repeats.sum()), expert))

    source, target = np.concatenate(sources), np.concatenate(targets)
    not_self = source != target
    source, target = source[not_self], target[not_self]
    count = len(source)

    x_types = _draw_labels(rng, X_INTERACTION_TYPES, X_INTERACTION_SHARES, count)
    linkedin_types = _draw_labels(
        rng, LINKEDIN_INTERACTION_TYPES, LINKEDIN_INTERACTION_SHARES, count
    )
    types = np.where(population.on_linkedin[target], linkedin_types, x_types)

    days = rng.integers(0, INTERACTION_WINDOW_DAYS, count)
    seconds_into_hour = rng.integers(0, 3600, count)
    offsets = days * 86_400 + _draw_hours(rng, count) * 3600 + seconds_into_hour
    moments = INTERACTION_WINDOW_START + offsets * np.timedelta64(1, "s")

    duplicated = rng.choice(count, size=EXACT_DUPLICATE_INTERACTION_COUNT, replace=False)
    source = np.concatenate([source, source[duplicated]])
    target = np.concatenate([target, target[duplicated]])
    types = np.concatenate([types, types[duplicated]])
    moments = np.concatenate([moments, moments[duplicated]])

    order = np.lexsort((types, target, source, moments))
    return source[order], target[order], types[order], _iso_utc(moments[order])


def _draw_labels(
    rng: np.random.Generator, labels: Sequence[str], shares: Sequence[float], count: int
) -> np.ndarray:
    """Draw ``count`` labels with the given probabilities."""
    probabilities = np.asarray(shares, dtype=float)
    picks = rng.choice(len(labels), size=count, p=probabilities / probabilities.sum())
    return np.asarray(labels)[picks]


def declared_follower_counts(
    rng: np.random.Generator, population: Population, in_data_followers: np.ndarray
) -> np.ndarray:
    """Draw the follower counts the platforms declare (the data holds only a sample).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    population : Population
        The accounts.
    in_data_followers : numpy.ndarray
        Number of followers of each account within the data.

    Returns
    -------
    numpy.ndarray
        Integer counts, always larger than ``in_data_followers`` and heavy-tailed.
    """
    log_means = np.array([DECLARED_FOLLOWER_MULTIPLIER[Role(role)] for role in population.role])
    multiplier = np.exp(log_means + 0.7 * rng.standard_normal(population.size))
    base = in_data_followers + 2 + rng.integers(0, 40, population.size)
    declared: np.ndarray = np.ceil(base * multiplier).astype(np.int64) + in_data_followers + 1
    return declared


def _csv_text(header: Sequence[str], columns: Sequence[Sequence[object]]) -> str:
    """Render columns as RFC 4180 CSV text with ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


def write_gzip_text(path: Path, text: str) -> None:
    """Write UTF-8 text as a reproducible gzip file (no file name, ``mtime=0``).

    Parameters
    ----------
    path : pathlib.Path
        Destination file.
    text : str
        Content to compress.
    """
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as zipped,
    ):
        zipped.write(text.encode("utf-8"))


def generate(out_dir: Path | str = DEFAULT_OUT_DIR, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Generate the demo dataset into a folder.

    Parameters
    ----------
    out_dir : pathlib.Path or str, default `DEFAULT_OUT_DIR`
        Folder to write to; created when missing. Existing dataset files are replaced.
    seed : int, default `DEFAULT_SEED`
        Seed of the ``numpy.random.default_rng`` stream; the output depends on nothing else.

    Returns
    -------
    dict of str to pathlib.Path
        Path of each written file, keyed by file name.
    """
    rng = np.random.default_rng(seed)
    population = build_population(rng)
    followers, followed = sample_background_follows(rng, population)
    followers, followed = apply_story_adjustments(rng, population, followers, followed)
    follow_platforms, follow_since = draw_follow_details(rng, population, followers, followed)
    sources, targets, types, timestamps = sample_interactions(rng, population, followers, followed)
    in_data_followers = np.bincount(followed, minlength=population.size)
    declared = declared_follower_counts(rng, population, in_data_followers)

    ids = np.asarray(population.ids)
    organizations = [
        population.ids[position] if position >= 0 else "" for position in population.employer
    ]
    kinds = ["brand" if role == Role.BRAND else "person" for role in population.role]
    accounts_text = _csv_text(
        ACCOUNT_COLUMNS,
        [
            population.ids,
            population.handles,
            population.names,
            kinds,
            organizations,
            population.titles,
            population.platforms,
            [";".join(topics) for topics in population.topics],
            declared.tolist(),
            population.emails,
            population.urls,
        ],
    )
    follows_text = _csv_text(
        FOLLOW_COLUMNS,
        [
            ids[followers].tolist(),
            ids[followed].tolist(),
            follow_platforms.tolist(),
            follow_since.tolist(),
        ],
    )
    interactions_text = _csv_text(
        INTERACTION_COLUMNS,
        [ids[sources].tolist(), ids[targets].tolist(), types.tolist(), timestamps.tolist()],
    )

    out_path = Path(out_dir)
    out_path.mkdir(parents=True, exist_ok=True)
    paths = {name: out_path / name for name in DATASET_FILES}
    paths[ACCOUNTS_FILE].write_bytes(accounts_text.encode("utf-8"))
    write_gzip_text(paths[FOLLOWS_FILE], follows_text)
    write_gzip_text(paths[INTERACTIONS_FILE], interactions_text)
    return paths


def load_dataset(data_dir: Path | str = DEFAULT_OUT_DIR) -> dict[str, pl.DataFrame]:
    """Read a generated dataset with polars (every column as text but the counts).

    Parameters
    ----------
    data_dir : pathlib.Path or str, default `DEFAULT_OUT_DIR`
        Folder holding the three dataset files.

    Returns
    -------
    dict of str to polars.DataFrame
        ``accounts``, ``follows`` and ``interactions`` tables.
    """
    folder = Path(data_dir)
    accounts = pl.read_csv(folder / ACCOUNTS_FILE, infer_schema=False).with_columns(
        pl.col("followers_count").cast(pl.Int64)
    )
    follows = pl.read_csv(folder / FOLLOWS_FILE, infer_schema=False)
    interactions = pl.read_csv(folder / INTERACTIONS_FILE, infer_schema=False)
    return {"accounts": accounts, "follows": follows, "interactions": interactions}


def _followers_of(follows: pl.DataFrame, accounts: Sequence[str]) -> set[str]:
    """Distinct followers of any of the given accounts."""
    followed_any = follows.filter(pl.col("followed").is_in(list(accounts)))
    return set(followed_any.get_column("follower").to_list())


def brand_reach(data: dict[str, pl.DataFrame], brand_id: str) -> dict[str, int]:
    """Compare a brand account's outside audience with its employees' combined one.

    Outside means not the brand itself nor one of its employees.

    Parameters
    ----------
    data : dict of str to polars.DataFrame
        Tables from `load_dataset`.
    brand_id : str
        Id of the brand account.

    Returns
    -------
    dict of str to int
        ``employees``, ``brand_followers`` and ``employee_followers`` (distinct, outside).
    """
    accounts, follows = data["accounts"], data["follows"]
    staff = accounts.filter(pl.col("organization") == brand_id).get_column("id").to_list()
    insiders = {brand_id, *staff}
    return {
        "employees": len(staff),
        "brand_followers": len(_followers_of(follows, [brand_id]) - insiders),
        "employee_followers": len(_followers_of(follows, staff) - insiders),
    }


def measure_story_facts(data_dir: Path | str = DEFAULT_OUT_DIR) -> dict[str, object]:
    """Measure, with polars, the facts the demo dataset is meant to show.

    Parameters
    ----------
    data_dir : pathlib.Path or str, default `DEFAULT_OUT_DIR`
        Folder holding the dataset.

    Returns
    -------
    dict of str to object
        Named measurements (counts, shares, account ids), see `format_summary`.
    """
    data = load_dataset(data_dir)
    accounts, follows, interactions = data["accounts"], data["follows"], data["interactions"]
    facts: dict[str, object] = {
        "accounts": accounts.height,
        "brands": accounts.filter(pl.col("kind") == "brand").height,
        "employees": accounts.filter(pl.col("organization").is_not_null()).height,
        "follows": follows.height,
        "interactions": interactions.height,
    }
    in_degree = (
        accounts.select("id")
        .join(
            follows.group_by("followed").len("followers"),
            left_on="id",
            right_on="followed",
            how="left",
        )
        .with_columns(pl.col("followers").fill_null(0))
    )
    out_degree = follows.group_by("follower").len("follows").get_column("follows")
    followers = in_degree.get_column("followers")
    top_one_percent = followers.sort(descending=True).head(accounts.height // 100).sum()
    facts |= {
        "in_degree_median": followers.median(),
        "in_degree_p99": followers.quantile(0.99),
        "in_degree_max": followers.max(),
        "top_1pct_share_of_follows": top_one_percent / follows.height,
        "out_degree_median": out_degree.median(),
        "out_degree_p90": out_degree.quantile(0.9),
        "out_degree_max": out_degree.max(),
    }

    main_topic = accounts.select("id", pl.col("topics").str.split(";").list.first().alias("niche"))
    with_niches = follows.join(main_topic, left_on="follower", right_on="id").join(
        main_topic, left_on="followed", right_on="id", suffix="_followed"
    )
    same_niche = with_niches.get_column("niche") == with_niches.get_column("niche_followed")
    shuffled = with_niches.get_column("niche_followed").shuffle(seed=0)
    facts["same_niche_share"] = same_niche.mean()
    facts["same_niche_share_if_random"] = (with_niches.get_column("niche") == shuffled).mean()

    star = _id_of_handle(accounts, STORY_HANDLES["star_employee"])
    expert = _id_of_handle(accounts, STORY_HANDLES["expert_employee"])
    star_reach = brand_reach(data, STAR_BRAND)
    facts |= {f"{STAR_BRAND}_{name}": value for name, value in star_reach.items()}
    corporate_reach = brand_reach(data, CORPORATE_BRAND)
    facts |= {f"{CORPORATE_BRAND}_{name}": value for name, value in corporate_reach.items()}

    staff = accounts.filter(pl.col("organization") == STAR_BRAND).get_column("id").to_list()
    insiders = {STAR_BRAND, *staff}
    star_audience = _followers_of(follows, [star]) - insiders
    rest_of_company = _followers_of(follows, [STAR_BRAND, *(s for s in staff if s != star)])
    top_employee = (
        in_degree.filter(pl.col("id").is_in(staff)).sort("followers", descending=True).row(0)[0]
    )
    facts |= {
        "star_id": star,
        "star_is_top_employee": top_employee == star,
        "star_outside_followers": len(star_audience),
        "star_unique_followers": len(star_audience - rest_of_company),
        "star_unique_share": len(star_audience - rest_of_company) / len(star_audience),
    }

    decision_makers = set(
        accounts.filter(pl.col("title").is_in(DECISION_MAKER_TITLES)).get_column("id").to_list()
    )
    expert_audience = _followers_of(follows, [expert])
    star_all_followers = _followers_of(follows, [star])

    def engaged_decision_makers(target: str) -> int:
        sources = interactions.filter(pl.col("target") == target).get_column("source")
        return len(set(sources.to_list()) & decision_makers)

    facts |= {
        "expert_id": expert,
        "expert_followers": len(expert_audience),
        "expert_decision_maker_followers": len(expert_audience & decision_makers),
        "expert_decision_maker_share": len(expert_audience & decision_makers)
        / len(expert_audience),
        "expert_engaged_decision_makers": engaged_decision_makers(expert),
        "star_followers": len(star_all_followers),
        "star_decision_maker_followers": len(star_all_followers & decision_makers),
        "star_decision_maker_share": len(star_all_followers & decision_makers)
        / len(star_all_followers),
        "star_engaged_decision_makers": engaged_decision_makers(star),
    }

    top_accounts = (
        in_degree.join(accounts, on="id")
        .sort("followers", descending=True)
        .head(5)
        .select("id", "handle", "kind", "organization", "followers", "followers_count")
    )
    facts["top_accounts"] = top_accounts.rows(named=True)
    facts["duplicate_interaction_records"] = interactions.height - interactions.unique().height
    return facts


def _id_of_handle(accounts: pl.DataFrame, handle: str) -> str:
    """Id of the account with the given handle."""
    return str(accounts.filter(pl.col("handle") == handle).get_column("id").item())


def format_summary(data_dir: Path | str = DEFAULT_OUT_DIR) -> str:
    """Describe a generated dataset and the evidence for its four stories.

    Parameters
    ----------
    data_dir : pathlib.Path or str, default `DEFAULT_OUT_DIR`
        Folder holding the dataset.

    Returns
    -------
    str
        Multi-line, human-readable summary.
    """
    folder = Path(data_dir)
    facts = measure_story_facts(folder)
    sizes = {name: (folder / name).stat().st_size for name in DATASET_FILES}
    lines = [
        f"demo dataset in {folder}",
        "  files: "
        + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes.items())
        + f" (total {sum(sizes.values()) / 1024:.0f} KiB)",
        f"  rows: {facts['accounts']} accounts ({facts['brands']} brands, "
        f"{facts['employees']} employees), {facts['follows']} follows, "
        f"{facts['interactions']} interactions "
        f"({facts['duplicate_interaction_records']} exact duplicate records)",
        f"  in-degree: median {facts['in_degree_median']:.0f}, p99 {facts['in_degree_p99']:.0f}, "
        f"max {facts['in_degree_max']}; top 1% of accounts hold "
        f"{facts['top_1pct_share_of_follows']:.0%} of follows",
        f"  out-degree: median {facts['out_degree_median']:.0f}, "
        f"p90 {facts['out_degree_p90']:.0f}, max {facts['out_degree_max']}",
        f"  niches: {facts['same_niche_share']:.0%} of follows stay within a main topic "
        f"(vs {facts['same_niche_share_if_random']:.0%} if followed accounts were shuffled)",
        f"story 1 ({STAR_BRAND}): brand reaches {facts[f'{STAR_BRAND}_brand_followers']} outside "
        f"followers, its {facts[f'{STAR_BRAND}_employees']} employees together reach "
        f"{facts[f'{STAR_BRAND}_employee_followers']}",
        f"  star {facts['star_id']} ({STORY_HANDLES['star_employee']}, top employee: "
        f"{facts['star_is_top_employee']}): {facts['star_outside_followers']} outside followers, "
        f"{facts['star_unique_followers']} ({facts['star_unique_share']:.0%}) follow neither "
        f"the brand nor a colleague",
        f"story 2 ({CORPORATE_BRAND}): brand reaches "
        f"{facts[f'{CORPORATE_BRAND}_brand_followers']} outside followers, its "
        f"{facts[f'{CORPORATE_BRAND}_employees']} employees together reach "
        f"{facts[f'{CORPORATE_BRAND}_employee_followers']}",
        f"story 3: expert {facts['expert_id']} ({STORY_HANDLES['expert_employee']}) has "
        f"{facts['expert_followers']} followers, {facts['expert_decision_maker_followers']} "
        f"({facts['expert_decision_maker_share']:.0%}) CTO/CIO/CISO; "
        f"{facts['expert_engaged_decision_makers']} of them interacted with the expert",
        f"  star {facts['star_id']} has {facts['star_followers']} followers, "
        f"{facts['star_decision_maker_followers']} ({facts['star_decision_maker_share']:.0%}) "
        f"CTO/CIO/CISO; {facts['star_engaged_decision_makers']} interacted with the star",
        "story 4: most followed accounts:",
    ]
    for row in facts["top_accounts"]:  # type: ignore[attr-defined]
        employer = row["organization"] or "independent"
        lines.append(
            f"  {row['id']} {row['handle']} ({row['kind']}, {employer}): "
            f"{row['followers']} followers in data, {row['followers_count']} declared"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: generate the dataset and print its summary.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Process exit status.
    """
    parser = argparse.ArgumentParser(description="Generate the graphkit demo dataset.")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT_DIR, help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    arguments = parser.parse_args(argv)
    generate(arguments.out, seed=arguments.seed)
    print(format_summary(arguments.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
