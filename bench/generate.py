"""Fill a database with realistic Chinese CRM data for benchmarks.

    python -m bench.generate --customers 1000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_1m [--seed 1]

Migrates the database to head, then adds one admin (bench-admin), 50 account managers
(am001 … am050, all with password bench-pass), ~33 tags and N customers with their contacts
and tags, and sets the code counters. Refuses a database that already has customers.
Prints a JSON summary on stdout; progress goes to stderr.

With `--tickets N` it also loads N service tickets (bench/tickets.py; `--customers 0` adds them
to a database already filled). With `--follow-ups N --orders M` it also loads N follow-ups
and M orders spread over the customers (follow-ups mostly on prospects and customers,
orders on customers and lost ones, both heavy-tailed), and derives each customer's columns
from them as the services would: first and last contact from its follow-ups, cumulative
amount, first-cooperation and last-order dates from its orders (cancelled ones left out), the
pool clock from its last effective follow-up, and the activity status (dormant after 180
days without interaction).

Speed comes from the bulk paths: on PostgreSQL worker processes each generate a chunk of rows
and COPY it (asyncpg's binary copy_records_to_table) in one transaction, so Python and the
database server keep both cores busy; on SQLite one process uses executemany in big
transactions. Rows are built with plain Python from pre-built word lists; check digits come
from small precomputed tables instead of python-stdnum (much slower per row).
The same seed gives the same rows on the same day (times are relative to now).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sqlite3
import sys
import time
from bisect import bisect_left
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench import vocab
from domain.search.normalize import name_sort_key
from domain.text import comparison_key
from persistence.db import async_url, backend_name
from persistence.migrate import upgrade
from persistence.models import CodeCounter, Customer, Tag, User

PASSWORD = "bench-pass"
ADMIN = "bench-admin"
ACCOUNT_MANAGERS = 50

CUSTOMER_COLUMNS = (
    "id",
    "code",
    "kind",
    "name",
    "credit_code",
    "id_number",
    "gender",
    "birthday",
    "industry",
    "size",
    "main_business",
    "region",
    "address",
    "stage",
    "activity_status",
    "grade",
    "source",
    "urgency",
    "owner_id",
    "custom_fields",
    "archived",
    "archived_reason",
    "first_contact_at",
    "last_contact_at",
    "cumulative_amount",
    "version",
    "created_at",
    "updated_at",
    "first_cooperation_on",
    "last_order_on",
    "owner_engaged_at",
    "name_sort",
    "tag_ids",
)
C_TAG_IDS = CUSTOMER_COLUMNS.index("tag_ids")
# positions in a customer row of the columns derived from follow-ups and orders
(
    C_STAGE,
    C_ACTIVITY,
    C_OWNER,
    C_ARCHIVED,
    C_FIRST_CONTACT,
    C_LAST_CONTACT,
    C_AMOUNT,
    C_CREATED,
    C_FIRST_ORDER,
    C_LAST_ORDER,
    C_ENGAGED,
) = (
    CUSTOMER_COLUMNS.index(name)
    for name in (
        "stage",
        "activity_status",
        "owner_id",
        "archived",
        "first_contact_at",
        "last_contact_at",
        "cumulative_amount",
        "created_at",
        "first_cooperation_on",
        "last_order_on",
        "owner_engaged_at",
    )
)
FOLLOW_UP_COLUMNS = (
    "customer_id",
    "owner_id",
    "at",
    "method",
    "summary",
    "feedback",
    "next_action",
    "next_action_due_on",
    "next_action_done_at",
    "effective",
    "version",
    "created_at",
    "updated_at",
)
ORDER_COLUMNS = (
    "customer_id",
    "order_no",
    "contract_no",
    "product",
    "amount",
    "ordered_on",
    "status",
    "created_by",
    "version",
    "created_at",
    "updated_at",
)
# relative weight of a customer for follow-ups and orders, by lifecycle stage
FOLLOW_UP_WEIGHT = {"potential": 1.0, "intent": 3.0, "customer": 2.0, "lost": 0.6}
ORDER_WEIGHT = {"potential": 0.0, "intent": 0.0, "customer": 1.0, "lost": 0.5}
DORMANCY_DAYS = 180  # the seeded lifecycle_settings default
CONTACT_COLUMNS = (
    "customer_id",
    "name",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat",
    "is_primary",
    "version",
    "created_at",
    "updated_at",
)
CUSTOMER_TAG_COLUMNS = ("customer_id", "tag_id")

# China has had no daylight saving time since 1991, so Asia/Shanghai is a fixed UTC+8.
SHANGHAI = timedelta(hours=8)
EPOCH = datetime(1970, 1, 1)
DAY = 86400.0

# ---- check digits, from precomputed tables (per row only a few additions remain) ----

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
USCC_WEIGHTS = [3**k % 31 for k in range(17)]
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code (credit code chars 9-17)
ID_WEIGHTS = [2 ** (17 - k) % 11 for k in range(17)]  # GB 11643 resident identity number
ID_CHECK = "10X98765432"


def _digit_sums(width: int, weights: tuple[int, ...] | list[int]) -> list[int]:
    """Weighted digit sums of every `width`-digit number."""
    return [
        sum(int(c) * w for c, w in zip(f"{v:0{width}d}", weights, strict=True))
        for v in range(10**width)
    ]


def _weighted(pairs: list[tuple]) -> list:
    """Expand (value, weight) pairs so that a uniform pick is a weighted pick."""
    return [value for value, weight in pairs for _ in range(weight)]


def _coprime_multiplier(modulus: int, start: int) -> int:
    """A multiplier coprime to `modulus`: i -> (i*a + b) % modulus is then a permutation,
    which turns a counter into unique but scattered-looking numbers."""
    a = start | 1
    while math.gcd(a, modulus) != 1:
        a += 2
    return a


# ---- the timeline: when customer i was created ----

WORK_SECONDS = 9 * 3600  # customers are created 09:00-18:00 Shanghai time, Monday to Friday
GROWTH = 0.8  # exponent < 1: more customers in recent months, as a growing business has
GOLDEN = (math.sqrt(5) - 1) / 2


class Timeline:
    """Customer i (0-based) is created at a time that depends only on i and increases with i,
    so ids follow created_at (the API sorts "created_at" by id) and each worker can compute
    the codes of its chunk alone: the month's sequence number is i minus the month's first i."""

    def __init__(self, n: int, now: float) -> None:
        self.n = n
        today = (EPOCH + timedelta(seconds=now) + SHANGHAI).date()
        first = today - timedelta(days=3 * 365 + 1)  # 36 months back
        days = [first + timedelta(days=k) for k in range((today - first).days)]  # to yesterday
        days = [d for d in days if d.weekday() < 5]
        # 09:00 Shanghai of each working day, in UTC epoch seconds
        self.day_start = [
            (datetime(d.year, d.month, d.day, 9) - SHANGHAI - EPOCH).total_seconds() for d in days
        ]
        self.months = sorted({f"{d.year}{d.month:02d}" for d in days})
        self.day_month = [self.months.index(f"{d.year}{d.month:02d}") for d in days]
        self.total = len(days) * WORK_SECONDS
        # first_index[m]: the first customer created in month m (and n at the end)
        self.first_index = [
            bisect_left(range(n), m, key=self.month_of) for m in range(len(self.months))
        ] + [n]

    def at(self, i: int) -> tuple[float, int]:
        """(UTC epoch seconds, working-day index) of customer i."""
        # i plus a golden-ratio fraction: strictly increasing, yet irregular gaps
        u = (i + (i * GOLDEN) % 1.0) / self.n
        position = u**GROWTH * self.total
        day = min(int(position // WORK_SECONDS), len(self.day_start) - 1)
        return self.day_start[day] + (position - day * WORK_SECONDS), day

    def month_of(self, i: int) -> int:
        return self.day_month[self.at(i)[1]]

    def month_counts(self) -> dict[str, int]:
        """yyyymm -> customers created that month (= the month's last sequence number)."""
        return {
            month: self.first_index[m + 1] - self.first_index[m]
            for m, month in enumerate(self.months)
            if self.first_index[m + 1] > self.first_index[m]
        }


# ---- row generation ----


@dataclass(frozen=True)
class Plan:
    """Everything a worker process needs to generate any chunk of rows (picklable)."""

    customers: int
    seed: int
    now: float  # UTC epoch seconds
    backend: str  # "postgresql" or "sqlite"
    target: str  # asyncpg DSN or SQLite file path
    owners: list[int]  # account manager ids, repeated by weight
    tag_ids: dict[str, int]
    follow_ups: int = 0
    orders: int = 0


class Generator:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.timeline = Timeline(plan.customers, plan.now)
        seeded = random.Random(f"bench-setup:{plan.seed}")

        # How values are stored: asyncpg wants datetime/date objects; SQLite gets the text
        # SQLAlchemy writes there ('YYYY-MM-DD HH:MM:SS.ffffff' naive UTC, 'YYYY-MM-DD').
        if plan.backend == "postgresql":
            epoch = datetime(1970, 1, 1, tzinfo=UTC)
            self.ts = lambda s: epoch + timedelta(seconds=s)
            as_date = lambda d: d  # noqa: E731
        else:
            self.ts = lambda s: (EPOCH + timedelta(seconds=s)).isoformat(" ", "microseconds")
            as_date = date.isoformat
        self.as_date = as_date

        tag_ids = plan.tag_ids
        region_tags = {
            name.split("-")[1]: tag_id
            for name, tag_id in tag_ids.items()
            if name.startswith("区域-")
        }
        self.cities = _weighted(
            [
                (
                    (
                        city,
                        prefix,
                        region,
                        county,
                        districts,
                        region_tags[region[:2]],
                        f"+86{area}",
                        10 ** (6 if area in vocab.SEVEN_DIGIT_AREAS else 7),
                    ),
                    weight,
                )
                for city, prefix, region, county, area, districts, weight in vocab.CITIES
            ]
        )
        self.trades = _weighted(
            [
                (
                    (
                        word,
                        slug,
                        industry,
                        business,
                        tag_ids[vocab.INDUSTRY_TAGS.get(industry[0], vocab.INDUSTRY_TAG_OTHER)],
                    ),
                    weight,
                )
                for word, slug, industry, business, weight in vocab.TRADES
            ]
        )
        self.suffixes = _weighted(vocab.SUFFIXES)
        self.surnames = _weighted([((s, py), w) for s, py, w in vocab.SURNAMES])
        self.titles_primary = _weighted(vocab.TITLES_PRIMARY)
        self.titles_other = _weighted(vocab.TITLES_OTHER)
        self.mail = _weighted(vocab.MAIL_PROVIDERS)
        self.state_tags = {
            stage: [tag_ids[t] for t in names] for stage, names in vocab.STATE_TAGS.items()
        }
        self.other_tags = [tag_ids[t] for t in vocab.OTHER_TAGS]

        # Credit code = "91" (a company) + county + organisation code (8 digits + GB 11714
        # check) + GB 32100 check. The 8 digits are a permutation of the customer index, so
        # they are unique. Weighted sums of the halves of the 8 digits come from tables.
        self.county_sum = {
            county: sum(
                USCC_ALPHABET.index(c) * w
                for c, w in zip("91" + county, USCC_WEIGHTS, strict=False)
            )
            for _, _, _, county, _, _, _ in vocab.CITIES
        }
        self.credit_a = _coprime_multiplier(10**8, 61_727_383)
        self.credit_b = seeded.randrange(10**8)
        self.org_hi = _digit_sums(4, ORG_WEIGHTS[:4])
        self.org_lo = _digit_sums(4, ORG_WEIGHTS[4:])
        self.uscc_hi = _digit_sums(4, USCC_WEIGHTS[8:12])
        self.uscc_lo = _digit_sums(4, USCC_WEIGHTS[12:16])
        # GB 11714: check = 11 - sum % 11, written X for 10 and 0 for 11; indexed by sum % 11
        self.org_check = ["0" if m == 0 else "X" if m == 1 else str(11 - m) for m in range(11)]
        self.org_check_sum = [USCC_ALPHABET.index(c) * USCC_WEIGHTS[16] for c in self.org_check]

        # ID number = birthplace county + birthday + 3-digit sequence (odd: male) + check.
        # (birthplace, birthday, sequence) is a permutation of the customer index: unique.
        self.id_regions = [county for _, _, _, county, _, _, _ in vocab.CITIES]
        self.id_region_sum = [
            sum(int(c) * w for c, w in zip(code, ID_WEIGHTS[:6], strict=True))
            for code in self.id_regions
        ]
        first_birthday = date(1955, 1, 1)
        birthdays = [
            first_birthday + timedelta(days=k)
            for k in range((date(2004, 12, 31) - first_birthday).days + 1)
        ]
        self.birth_text = [d.strftime("%Y%m%d") for d in birthdays]
        self.birth_value = [as_date(d) for d in birthdays]
        self.birth_sum = [
            sum(int(c) * w for c, w in zip(text, ID_WEIGHTS[6:14], strict=True))
            for text in self.birth_text
        ]
        self.seq_sum = _digit_sums(3, ID_WEIGHTS[14:])
        self.id_space = len(self.id_regions) * len(birthdays) * 1000
        if plan.customers > self.id_space:
            raise SystemExit(f"at most {self.id_space} customers")
        self.id_a = _coprime_multiplier(self.id_space, 387_420_489)
        self.id_b = seeded.randrange(self.id_space)

    def rows(self, start: int, stop: int) -> tuple[list[tuple], ...]:
        """Customers with ids start+1 … stop, their contacts, customer_tag rows, follow-ups
        and orders."""
        # One RNG per chunk, seeded by the chunk's start, so the rows do not depend on which
        # worker process generates which chunk. Locals instead of attribute lookups and
        # `seq[int(r() * len)]` instead of random.choice: this loop runs a million times.
        rng = random.Random(f"{self.plan.seed}:{start}")
        r = rng.random
        lognormal = rng.lognormvariate
        ts = self.ts
        now = self.plan.now
        at = self.timeline.at
        day_month, months = self.timeline.day_month, self.timeline.months
        first_index = self.timeline.first_index
        cities, brands, trades, suffixes = self.cities, vocab.BRANDS, self.trades, self.suffixes
        roads, buildings = vocab.ROADS, vocab.BUILDINGS
        surnames, male, female = self.surnames, vocab.GIVEN_MALE, vocab.GIVEN_FEMALE
        titles_primary, titles_other = self.titles_primary, self.titles_other
        owners = self.plan.owners
        state_tags, other_tags = self.state_tags, self.other_tags
        mobile_prefixes, mail = vocab.MOBILE_PREFIXES, self.mail
        reasons = vocab.ARCHIVE_REASONS
        county_sum, credit_a, credit_b = self.county_sum, self.credit_a, self.credit_b
        org_hi, org_lo, uscc_hi, uscc_lo = self.org_hi, self.org_lo, self.uscc_hi, self.uscc_lo
        org_check, org_check_sum = self.org_check, self.org_check_sum
        id_regions, id_region_sum = self.id_regions, self.id_region_sum
        birth_text, birth_value, birth_sum = self.birth_text, self.birth_value, self.birth_sum
        seq_sum, id_a, id_b, id_space = self.seq_sum, self.id_a, self.id_b, self.id_space
        n_birthdays = len(birth_text)

        def pick(seq):
            return seq[int(r() * len(seq))]

        def person(gender: str | None = None) -> tuple[str, str, str]:
            """(name, given-name pinyin, surname pinyin)"""
            surname, surname_py = pick(surnames)
            chars = male if gender == "male" or (gender is None and r() < 0.5) else female
            first, first_py = pick(chars)
            if r() < 0.35:
                return surname + first, first_py, surname_py
            second, second_py = pick(chars)
            return surname + first + second, first_py + second_py, surname_py

        def mobile() -> str:
            return f"+86{pick(mobile_prefixes)}{int(r() * 1e8):08d}"

        customers, contacts, customer_tags, amount_mus = [], [], [], []
        for i in range(start, stop):
            customer_id = i + 1
            created_s, day = at(i)
            month = day_month[day]
            code = f"C{months[month]}{i - first_index[month] + 1:06d}"
            city, city_prefix, region, county, districts, region_tag, area, landline = pick(cities)
            address = f"{city_prefix}{pick(districts)}{pick(roads)}{int(r() * 800) + 1}号"

            draw = r()
            stage = (
                "potential"
                if draw < 0.40
                else "intent"
                if draw < 0.62
                else "customer"
                if draw < 0.90
                else "lost"
            )

            if r() < 0.7:
                kind = "organization"
                brand, brand_py = pick(brands)
                trade, slug, industry, business, industry_tag = pick(trades)
                suffix = pick(suffixes)
                if r() < 0.15:  # the "华信科技（上海）有限公司" pattern
                    name = f"{brand}{trade}（{city}）{suffix}"
                else:
                    name = f"{city}{brand}{trade}{suffix}"
                hi, lo = divmod((i * credit_a + credit_b) % 100_000_000, 10_000)
                check = (org_hi[hi] + org_lo[lo]) % 11
                total = county_sum[county] + uscc_hi[hi] + uscc_lo[lo] + org_check_sum[check]
                credit_code = (
                    f"91{county}{hi:04d}{lo:04d}{org_check[check]}{USCC_ALPHABET[-total % 31]}"
                )
                id_number = gender = birthday = None
                draw = r()
                if "集团" in suffix:  # a group is never a tiny company
                    size = "100-500" if draw < 0.4 else "500-1000" if draw < 0.7 else "1000+"
                else:
                    size = (
                        "0-20"
                        if draw < 0.38
                        else "20-100"
                        if draw < 0.75
                        else "100-500"
                        if draw < 0.92
                        else "500-1000"
                        if draw < 0.97
                        else "1000+"
                    )
                if r() < 0.4:
                    address += f"{pick(buildings)}{int(r() * 20) + 1}{int(r() * 20) + 1:02d}室"
                domain = f"{brand_py}{slug}.{'com' if r() < 0.7 else 'cn'}"
                amount_mu = 11.0  # median e^11 yuan ≈ 60k
                # ~2 contacts per customer overall (issue 12 measures 1M customers, 2M contacts)
                n_contacts = (
                    1 if (draw := r()) < 0.15 else 2 if draw < 0.55 else 3 if draw < 0.85 else 4
                )
            else:
                kind = "individual"
                industry = size = business = credit_code = domain = None
                industry_tag = pick(other_tags)
                x, seq = divmod((i * id_a + id_b) % id_space, 1000)
                place, born = divmod(x, n_birthdays)
                check = (id_region_sum[place] + birth_sum[born] + seq_sum[seq]) % 11
                id_number = f"{id_regions[place]}{birth_text[born]}{seq:03d}{ID_CHECK[check]}"
                gender = "male" if seq & 1 else "female"  # GB 11643: odd sequence is male
                birthday = birth_value[born]
                person_name, person_given, person_surname = person(gender)
                name = person_name
                if r() < 0.3:
                    address = None
                amount_mu = 8.5  # median e^8.5 yuan ≈ 5k
                n_contacts = 1 if r() < 0.85 else 2

            # First contact soon after creation; the last one anywhere since, more often recent.
            if r() < 0.87:
                first_s = min(created_s + r() * 3 * DAY, now - 60)
                last_s = first_s + (now - first_s) * r() ** 0.3
                idle_days = (now - last_s) / DAY
                first_at, last_at = ts(first_s), ts(last_s)
            else:
                last_s = created_s
                idle_days = (now - created_s) / DAY
                first_at = last_at = None
            if idle_days < 60:
                activity = "active"
            elif idle_days < 180:
                activity = "churn_risk" if stage == "customer" else "active"
            else:
                activity = "dormant"

            # Amounts in fen; lost customers sometimes bought something before.
            draw = r()
            amount = 0
            if stage == "customer":
                grade = "S" if draw < 0.05 else "A" if draw < 0.25 else "B" if draw < 0.65 else "C"
                amount = int(lognormal(amount_mu, 1.2) * 100)
            elif stage == "intent":
                grade = None if draw < 0.4 else "B" if draw < 0.7 else "C"
            else:
                grade = None
                if stage == "lost" and r() < 0.3:
                    amount = int(lognormal(amount_mu, 1.2) * 100)
            draw = r()
            source = (
                "online"
                if draw < 0.25
                else "referral"
                if draw < 0.45
                else "cold_call"
                if draw < 0.60
                else "exhibition"
                if draw < 0.72
                else "advertising"
                if draw < 0.82
                else "partner"
                if draw < 0.92
                else "other"
            )
            draw = r()
            urgency = (
                None
                if stage in ("customer", "lost") and draw < 0.7
                else ("high" if draw < 0.2 or draw > 0.93 else "medium" if draw < 0.6 else "low")
            )
            archived = r() < (0.2 if stage == "lost" else 0.005)
            created_at = ts(created_s)
            owner = pick(owners)
            customers.append(
                [
                    customer_id,
                    code,
                    kind,
                    name,
                    credit_code,
                    id_number,
                    gender,
                    birthday,
                    industry,
                    size,
                    business,
                    region,
                    address,
                    stage,
                    activity,
                    grade,
                    source,
                    urgency,
                    owner,
                    "{}",
                    archived,
                    pick(reasons) if archived else None,
                    first_at,
                    last_at,
                    amount,
                    1,
                    created_at,
                    ts(last_s + r() * 600),
                    None,
                    None,
                    created_at,
                    name_sort_key(name),
                    [],
                ]
            )  # tag_ids: by trigger
            amount_mus.append((created_s, amount_mu))

            # Contacts: exactly one primary. An individual is their own primary contact.
            for k in range(n_contacts):
                if kind == "individual" and k == 0:
                    contact_name, given_py, surname_py = person_name, person_given, person_surname
                    title = None
                else:
                    contact_name, given_py, surname_py = person()
                    title = (
                        "家属"
                        if kind == "individual"
                        else pick(titles_primary if k == 0 else titles_other)
                    )
                if domain and r() < 0.7:
                    email = f"{given_py}.{surname_py}@{domain}"
                elif r() < 0.4:
                    email = f"{surname_py}{given_py}{int(r() * 1000)}@{pick(mail)}"
                else:
                    email = None
                contacts.append(
                    (
                        customer_id,
                        contact_name,
                        title,
                        mobile() if r() < 0.92 else None,
                        f"{area}{int(landline * (2 + r() * 6))}" if domain and r() < 0.3 else None,
                        email,
                        (
                            f"wxid_{rng.getrandbits(56):014x}"
                            if r() < 0.5
                            else f"{surname_py}{given_py}{int(r() * 10000)}"
                        )
                        if r() < 0.6
                        else None,
                        k == 0,
                        1,
                        created_at,
                        created_at if k == 0 else ts(min(created_s + r() * 90 * DAY, now - 60)),
                    )
                )

            # Tags: 0-3, mostly ones that fit the customer (its region, trade, stage).
            draw = r()
            n_tags = 0 if draw < 0.33 else 1 if draw < 0.73 else 2 if draw < 0.89 else 3
            if n_tags:
                chosen = set()
                for _ in range(n_tags):
                    draw = r()
                    chosen.add(
                        region_tag
                        if draw < 0.3
                        else industry_tag
                        if draw < 0.55
                        else pick(state_tags[stage])
                        if draw < 0.75
                        else pick(other_tags)
                    )
                customer_tags.extend((customer_id, tag_id) for tag_id in chosen)
        follow_ups, orders = [], []
        if self.plan.follow_ups or self.plan.orders:
            follow_ups, orders = self.sales(start, stop, customers, amount_mus)
        return [tuple(c) for c in customers], contacts, customer_tags, follow_ups, orders

    def sales(
        self, start: int, stop: int, customers: list[list], extra: list[tuple[float, float]]
    ) -> tuple[list[tuple], list[tuple]]:
        """Follow-ups and orders of the customers of a chunk, and the customer columns
        derived from them (updated in place). Each chunk gets its exact share of the totals,
        so the whole load has exactly --follow-ups and --orders rows."""
        plan, ts, as_date = self.plan, self.ts, self.as_date
        rng = random.Random(f"{plan.seed}:sales:{start}")  # the customer rows stay as they were
        r, lognormal = rng.random, rng.lognormvariate
        now = plan.now
        today = (EPOCH + timedelta(seconds=now) + SHANGHAI).date()
        n = plan.customers

        def share(total: int) -> tuple[int, int]:
            return start * total // n, stop * total // n - start * total // n

        def local_date(seconds: float) -> date:
            return (EPOCH + timedelta(seconds=seconds) + SHANGHAI).date()

        def pick(seq):
            return seq[int(r() * len(seq))]

        methods, summaries = _weighted(vocab.FOLLOW_UP_METHODS), vocab.FOLLOW_UP_SUMMARIES
        feedback, actions, products = (vocab.FOLLOW_UP_FEEDBACK, vocab.NEXT_ACTIONS, vocab.PRODUCTS)
        size = len(customers)
        last_fu = [None] * size
        first_fu = [None] * size
        last_effective = [0.0] * size
        follow_ups = []
        _, k = share(plan.follow_ups)
        weights = [
            FOLLOW_UP_WEIGHT[c[C_STAGE]] * lognormal(0, 1) * (0.3 if c[C_ARCHIVED] else 1)
            for c in customers
        ]
        for j in rng.choices(range(size), weights=weights, k=k) if k else ():
            c, (created_s, _) = customers[j], extra[j]
            at = created_s + (now - 60 - created_s) * r() ** 0.6  # more of them lately
            effective = r() < 0.65
            action = pick(actions) if r() < 0.5 else None
            due = at + (1 + int(r() * 14)) * DAY if action else None
            follow_ups.append(
                (
                    c[0],
                    c[C_OWNER],
                    ts(at),
                    pick(methods),
                    pick(summaries),
                    pick(feedback) if effective and r() < 0.6 else None,
                    action,
                    as_date(local_date(due)) if due else None,
                    ts(due) if due and due < now and r() < 0.8 else None,
                    effective,
                    1,
                    ts(at),
                    ts(at),
                )
            )
            last_fu[j] = at if last_fu[j] is None else max(last_fu[j], at)
            first_fu[j] = at if first_fu[j] is None else min(first_fu[j], at)
            if effective:
                last_effective[j] = max(last_effective[j], at)

        orders = []
        first_no, k = share(plan.orders)
        weights = [ORDER_WEIGHT[c[C_STAGE]] * lognormal(0, 1.2) for c in customers]
        if k and not any(weights):  # a chunk of prospects only
            weights = [1.0] * size
        total = [0] * size
        first_day: list[date | None] = [None] * size
        last_day: list[date | None] = [None] * size
        for number, j in enumerate(
            rng.choices(range(size), weights=weights, k=k) if k else (), start=first_no
        ):
            c, (created_s, amount_mu) = customers[j], extra[j]
            created_day = local_date(created_s)
            day = created_day + timedelta(days=int((today - created_day).days * r() ** 0.7))
            amount = max(100, int(lognormal(amount_mu - 1.5, 1.0) * 100))  # fen
            cancelled = r() < 0.04
            at = ts((datetime(day.year, day.month, day.day, 10) - SHANGHAI - EPOCH).total_seconds())
            orders.append(
                (
                    c[0],
                    f"SO{number:010d}",
                    f"HT{day.year}{number:09d}" if c[2] == "organization" and r() < 0.4 else None,
                    pick(products),
                    amount,
                    as_date(day),
                    "cancelled" if cancelled else "completed",
                    c[C_OWNER],
                    1,
                    at,
                    at,
                )
            )
            if not cancelled:
                total[j] += amount
                first_day[j] = day if first_day[j] is None else min(first_day[j], day)
                last_day[j] = day if last_day[j] is None else max(last_day[j], day)

        for j, c in enumerate(customers):
            created_s = extra[j][0]
            c[C_FIRST_CONTACT] = ts(first_fu[j]) if first_fu[j] is not None else None
            c[C_LAST_CONTACT] = ts(last_fu[j]) if last_fu[j] is not None else None
            c[C_AMOUNT] = total[j]
            c[C_FIRST_ORDER] = as_date(first_day[j]) if first_day[j] else None
            c[C_LAST_ORDER] = as_date(last_day[j]) if last_day[j] else None
            c[C_ENGAGED] = ts(max(created_s, last_effective[j]))
            # the dormancy rule: the latest follow-up or order, else the creation
            latest = [local_date(last_fu[j])] if last_fu[j] is not None else []
            latest += [last_day[j]] if last_day[j] else []
            last_seen = max(latest) if latest else local_date(created_s)
            c[C_ACTIVITY] = "dormant" if (today - last_seen).days >= DORMANCY_DAYS else "active"
        return follow_ups, orders


# ---- loading ----


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def _progress(done: int, total: int, started: float) -> None:
    print(
        f"  {done:>9,} / {total:,} customers  {time.perf_counter() - started:6.1f} s",
        file=sys.stderr,
        flush=True,
    )


_worker_generator: Generator | None = None


def _pg_worker_init(plan: Plan) -> None:
    global _worker_generator
    _worker_generator = Generator(plan)


def _pg_load_chunk(bounds: tuple[int, int]) -> tuple[int, ...]:
    """In a worker process: generate one chunk and COPY it in one transaction."""
    customers, contacts, customer_tags, follow_ups, orders = _worker_generator.rows(*bounds)

    async def copy() -> None:
        conn = await asyncpg.connect(_worker_generator.plan.target)
        try:
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "customer", records=customers, columns=CUSTOMER_COLUMNS
                )
                await conn.copy_records_to_table(
                    "contact", records=contacts, columns=CONTACT_COLUMNS
                )
                await conn.copy_records_to_table(
                    "customer_tag", records=customer_tags, columns=CUSTOMER_TAG_COLUMNS
                )
                if follow_ups:
                    await conn.copy_records_to_table(
                        "follow_up", records=follow_ups, columns=FOLLOW_UP_COLUMNS
                    )
                if orders:
                    await conn.copy_records_to_table(
                        "customer_order", records=orders, columns=ORDER_COLUMNS
                    )
        finally:
            await conn.close()

    asyncio.run(copy())
    return (len(customers), len(contacts), len(customer_tags), len(follow_ups), len(orders))


def load_postgres(plan: Plan, jobs: int, chunk: int) -> dict[str, int]:
    started = time.perf_counter()
    done = 0
    counts = dict.fromkeys(("contacts", "customer_tags", "follow_ups", "orders"), 0)
    step = max(plan.customers // 10, 1)
    pool = ProcessPoolExecutor(jobs, initializer=_pg_worker_init, initargs=(plan,))
    try:
        for n_customers, *rest in pool.map(_pg_load_chunk, _chunks(plan.customers, chunk)):
            if (done + n_customers) // step > done // step:
                _progress(done + n_customers, plan.customers, started)
            done += n_customers
            for key, n in zip(counts, rest, strict=True):
                counts[key] += n
    finally:
        # On an error map() has already queued every chunk: drop the rest instead of
        # loading them.
        pool.shutdown(cancel_futures=True)
    return counts


def load_sqlite(plan: Plan, chunk: int) -> dict[str, int]:
    started = time.perf_counter()
    generator = Generator(plan)
    counts = dict.fromkeys(("contacts", "customer_tags", "follow_ups", "orders"), 0)
    step = max(plan.customers // 10, 1)
    conn = sqlite3.connect(plan.target, isolation_level=None)  # explicit BEGIN/COMMIT below
    try:
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            conn.execute(f"PRAGMA {pragma}")
        for start, stop in _chunks(plan.customers, chunk):
            customers, *rest = generator.rows(start, stop)
            # tag_ids: JSON text on SQLite, filled by its triggers
            customers = [(*row[:C_TAG_IDS], "[]", *row[C_TAG_IDS + 1 :]) for row in customers]
            conn.execute("BEGIN")
            for table, columns, rows in zip(
                ("customer", "contact", "customer_tag", "follow_up", "customer_order"),
                (
                    CUSTOMER_COLUMNS,
                    CONTACT_COLUMNS,
                    CUSTOMER_TAG_COLUMNS,
                    FOLLOW_UP_COLUMNS,
                    ORDER_COLUMNS,
                ),
                [customers, *rest],
                strict=True,
            ):
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    rows,
                )
            conn.execute("COMMIT")
            for key, rows in zip(counts, rest, strict=True):
                counts[key] += len(rows)
            if stop // step > start // step:
                _progress(stop, plan.customers, started)
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return counts


# ---- the small tables, before and after ----


def _insert(backend: str):
    return pg_insert if backend == "postgresql" else sqlite_insert


async def prepare(url: str, seed: int, now: datetime) -> tuple[list[int], dict[str, int]]:
    """Refuse a database with customers; upsert the users and tags. Returns the account
    managers' ids (repeated by weight: some have more customers than others) and tag ids."""
    backend = backend_name(url)
    insert = _insert(backend)
    rng = random.Random(f"bench-users:{seed}")
    from api.security import hash_password  # imported late: it hashes a dummy at import

    password_hash = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
    surnames = _weighted([(s, w) for s, _, w in vocab.SURNAMES])
    given = [c for c, _ in vocab.GIVEN_MALE + vocab.GIVEN_FEMALE]
    users = [{"username": ADMIN, "display_name": "压测管理员", "role": "admin"}] + [
        {
            "username": f"am{k:03d}",
            "role": "account_manager",
            "display_name": rng.choice(surnames)
            + "".join(rng.choices(given, k=rng.choice((1, 2)))),
        }
        for k in range(1, ACCOUNT_MANAGERS + 1)
    ]
    created = now - timedelta(days=3 * 365 + 1)
    for user in users:
        user.update(
            password_hash=password_hash,
            is_active=True,
            department_id=None,
            version=1,
            created_at=created,
            updated_at=created,
        )
    tag_names = (
        vocab.REGION_TAGS
        + list(vocab.INDUSTRY_TAGS.values())
        + [vocab.INDUSTRY_TAG_OTHER]
        + list(dict.fromkeys(t for ts in vocab.STATE_TAGS.values() for t in ts))
        + vocab.OTHER_TAGS
    )
    tags = [
        {
            "name": name,
            "name_key": comparison_key(name),
            "color": vocab.TAG_COLORS[k % len(vocab.TAG_COLORS)],
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        for k, name in enumerate(tag_names)
    ]

    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            if await conn.scalar(select(Customer.id).limit(1)) is not None:
                raise SystemExit(
                    "refusing: this database already has customers "
                    "(load into a new, empty database)"
                )
            stmt = insert(User).values(users)
            # Re-runs (say after an interrupted load) keep the users but reset what logs in.
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[User.username],
                    set_={
                        "password_hash": stmt.excluded.password_hash,
                        "role": stmt.excluded.role,
                        "is_active": True,
                    },
                )
            )
            await conn.execute(
                insert(Tag).values(tags).on_conflict_do_nothing(index_elements=[Tag.name])
            )
            user_ids = dict((await conn.execute(select(User.username, User.id))).all())
            tag_ids = dict((await conn.execute(select(Tag.name, Tag.id))).all())
    finally:
        await engine.dispose()
    owners = _weighted(
        [(user_ids[f"am{k:03d}"], rng.randint(1, 4)) for k in range(1, ACCOUNT_MANAGERS + 1)]
    )
    return owners, {name: tag_ids[name] for name in tag_names}


async def finish(url: str, timeline: Timeline) -> None:
    """Code counters (the app continues each month's sequence after ours); on PostgreSQL the
    id sequence (we wrote explicit ids), then VACUUM ANALYZE so the benchmarks start from
    fresh statistics and visibility maps instead of racing autovacuum."""
    backend = backend_name(url)
    counters = [
        {"prefix": f"C{month}", "last_value": count}
        for month, count in timeline.month_counts().items()
    ]
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            stmt = _insert(backend)(CodeCounter).values(counters)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[CodeCounter.prefix],
                    set_={"last_value": stmt.excluded.last_value},
                )
            )
    finally:
        await engine.dispose()
    if backend == "postgresql":
        conn = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('customer', 'id'), "
                "(SELECT max(id) FROM customer))"
            )
            await conn.execute(
                "VACUUM (ANALYZE) customer, contact, customer_tag, tag, follow_up, customer_order"
            )
        finally:
            await conn.close()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument(
        "--database-url", required=True, help="sqlite:///path or postgresql://user@host:port/db"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 2,
        help="PostgreSQL: worker processes generating and copying chunks",
    )
    parser.add_argument("--chunk", type=int, default=20_000, help="customers per transaction")
    parser.add_argument("--follow-ups", type=int, default=0, help="follow-ups in all")
    parser.add_argument("--orders", type=int, default=0, help="orders in all")
    parser.add_argument(
        "--tickets",
        type=int,
        default=0,
        help=(
            "service tickets in all (PostgreSQL); with --customers 0, added to a database that "
            "already has its customers"
        ),
    )
    args = parser.parse_args(argv)

    if args.tickets < 0:
        parser.error("--tickets cannot be negative")
    if args.customers == 0 and args.tickets > 0:
        from bench.tickets import load_tickets

        started = time.perf_counter()
        upgrade(args.database_url)
        counts = load_tickets(
            backend=backend_name(args.database_url),
            target=_asyncpg_dsn(args.database_url),
            tickets=args.tickets,
            seed=args.seed,
            jobs=args.jobs,
        )
        print(json.dumps({**counts, "seconds": round(time.perf_counter() - started, 1)}))
        return
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.follow_ups < 0 or args.orders < 0:
        parser.error("--follow-ups and --orders cannot be negative")
    started = time.perf_counter()
    url = args.database_url
    backend = backend_name(url)
    if backend not in ("postgresql", "sqlite"):
        raise SystemExit(f"unsupported database: {backend}")
    upgrade(url)
    now = datetime.now(UTC)
    owners, tag_ids = asyncio.run(prepare(url, args.seed, now))
    target = _asyncpg_dsn(url) if backend == "postgresql" else make_url(url).database
    plan = Plan(
        customers=args.customers,
        seed=args.seed,
        now=now.timestamp(),
        backend=backend,
        target=target,
        owners=owners,
        tag_ids=tag_ids,
        follow_ups=args.follow_ups,
        orders=args.orders,
    )
    print(
        f"loading {args.customers:,} customers, {args.follow_ups:,} follow-ups and "
        f"{args.orders:,} orders into {backend}",
        file=sys.stderr,
    )
    if backend == "postgresql":
        counts = load_postgres(plan, args.jobs, args.chunk)
    else:
        counts = load_sqlite(plan, args.chunk)
    print("counters and statistics", file=sys.stderr)
    asyncio.run(finish(url, Timeline(plan.customers, plan.now)))
    if args.tickets:
        from bench.tickets import load_tickets

        counts |= load_tickets(
            backend=backend, target=target, tickets=args.tickets, seed=args.seed, jobs=args.jobs
        )
    print(
        json.dumps(
            {
                "customers": args.customers,
                **counts,
                "seconds": round(time.perf_counter() - started, 1),
                "database": backend,
            }
        )
    )


if __name__ == "__main__":
    main()
