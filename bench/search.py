"""Search at scale: GET /search and the filtered customer list, on a database bench.generate
filled (the index is built first if empty). Prints JSON.

    python -m bench.search --database-url postgresql://postgres@127.0.0.1:5432/crm_bench

Cases (issue 12): a common 1-character surname, a common 2-character word, a rare
2-character string, a 4-character string, mobile fragments of 4 and 8 digits, pinyin
initials, each at concurrency 1 (p50, p95); the 2-character word also at 16 (req/s); the
customer list with 3 conditions plus tags_all of 2 tags; customer creates at 16 with the
index kept and without it; the index's size on disk. Query strings are drawn from the data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from urllib.parse import urlencode

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.generate import ADMIN, PASSWORD
from bench.loadgen import build_request, run_load
from bench.server import running_server
from persistence.db import PG_SESSION, async_url, backend_name
from persistence.models import Contact, Customer, CustomerTag, SearchDoc, SearchGram
from persistence.search.index import reindex

TARGETS = {"postgresql": {"p50_ms": 30, "p95_ms": 100, "rps_c16": 200}, "sqlite": {"p50_ms": 50}}


async def _prepare(url: str, seed: int) -> dict:
    """Index if needed; draw the query strings from the data."""
    engine = create_async_engine(
        async_url(url),
        poolclass=NullPool,
        connect_args=(PG_SESSION if backend_name(url) == "postgresql" else {}),
    )  # as the app's connections
    rng = random.Random(seed)
    out: dict = {}
    try:
        async with engine.begin() as conn:
            if not await conn.scalar(
                select(func.count()).select_from(select(SearchDoc.customer_id).limit(1).subquery())
            ):
                out["reindex"] = await reindex(conn)
        async with engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            top = await conn.scalar(select(func.max(Customer.id)))
            sample_ids = [rng.randint(1, top) for _ in range(300)]
            names = (
                (await conn.execute(select(Customer.name).where(Customer.id.in_(sample_ids))))
                .scalars()
                .all()
            )

            if postgres:  # "LIMIT 6" of a gram the statistics think common: a table scan
                await conn.execute(text("SET enable_seqscan = off"))

            async def count(gram: str) -> int:
                if postgres:
                    return await conn.scalar(
                        text(
                            "SELECT count(*) FROM (SELECT 1 FROM search_doc "
                            "WHERE grams @> ARRAY[CAST(:g AS text)] LIMIT 6) s"
                        ),
                        {"g": gram},
                    )
                return await conn.scalar(
                    select(func.count()).select_from(
                        select(SearchGram.customer_id)
                        .where(SearchGram.gram == gram)
                        .limit(6)
                        .subquery()
                    )
                )

            rare = None
            for name in names:
                for i in range(len(name) - 1):
                    pair = name[i : i + 2]
                    if 1 <= await count("n" + pair) <= 5:
                        rare = pair
                        break
                if rare:
                    break
            long_names = [n for n in names if len(n) >= 8]
            four = rng.choice(long_names)[2:6]
            mobile = await conn.scalar(
                select(Contact.mobile)
                .where(Contact.customer_id.in_(sample_ids), Contact.mobile.is_not(None))
                .limit(1)
            )
            digits = mobile[-11:]
            pinyin = await conn.scalar(
                select(SearchDoc.pinyin)
                .where(SearchDoc.customer_id.in_(sample_ids), SearchDoc.pinyin != "\n")
                .limit(1)
            )
            initials = pinyin.strip().split("\n")[-1][:4]
            tags = (
                (
                    await conn.execute(
                        select(CustomerTag.tag_id)
                        .group_by(CustomerTag.tag_id)
                        .order_by(func.count().desc())
                        .limit(2)
                    )
                )
                .scalars()
                .all()
            )
            size = None
            if postgres:
                size = await conn.scalar(
                    text(
                        "SELECT pg_total_relation_size('search_doc') "
                        "+ pg_relation_size('ix_customer_last_contact_rank')"
                    )
                )
            else:
                try:
                    size = await conn.scalar(
                        text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%search_%'")
                    )
                except Exception:  # noqa: BLE001 - dbstat is not in every SQLite build
                    size = None
        out.update(
            {
                "cases": {
                    "common_1_char_surname": "王",
                    "common_2_char_word": "科技",
                    "rare_2_char": rare or "崔建",
                    "4_char": four,
                    "mobile_4_digits": digits[3:7],
                    "mobile_8_digits": digits[3:11],
                    "pinyin_initials": initials,
                },
                "tags": tags,
                "index_bytes": size,
            }
        )
        return out
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200, help="per case and concurrency")
    parser.add_argument("--creates", type=int, default=400, help="customer creates per run")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    backend = backend_name(args.database_url)
    prepared = asyncio.run(_prepare(args.database_url, args.seed))
    report: dict = {
        "database": backend,
        "targets": TARGETS[backend],
        "index_bytes": prepared["index_bytes"],
        "cases": {},
    }
    if "reindex" in prepared:
        report["reindex"] = prepared["reindex"]

    def measure(
        server,
        path: str,
        concurrency: int,
        method: str = "GET",
        bodies: list[bytes] | None = None,
        headers: dict | None = None,
        total: int = 0,
        expect: int = 200,
    ) -> dict:
        raw = [
            build_request(
                method,
                path,
                server.host,
                server.port,
                body=body,
                headers={"Accept": "application/json", **(headers or {})},
            )
            for body in bodies or [b""]
        ]
        warm, total = min(20, args.requests), total or args.requests
        asyncio.run(
            run_load(
                server.host,
                server.port,
                raw[:warm],
                total=warm,
                concurrency=concurrency,
                max_seconds=args.max_seconds,
                expect=expect,
            )
        )
        result = asyncio.run(
            run_load(
                server.host,
                server.port,
                raw[warm:] or raw,
                total=total,
                concurrency=concurrency,
                max_seconds=args.max_seconds,
                expect=expect,
            )
        )
        return result.summary()

    def creates(server, auth: dict) -> dict:
        """Customer creates at c=16, each a new individual (a unique, valid ID number); the
        first 20 warm the server up."""
        bodies = [
            json.dumps(
                {
                    "kind": "individual",
                    "name": f"压测新建客户{i}",
                    "id_number": id_numbers.pop(),
                    "stage": "potential",
                }
            ).encode()
            for i in range(args.creates + 20)
        ]
        return measure(
            server,
            "/api/v1/customers",
            16,
            "POST",
            bodies,
            {**auth, "Content-Type": "application/json"},
            total=args.creates,
            expect=201,
        )

    id_numbers = _fresh_id_numbers(2 * (args.creates + 20))

    with running_server(args.database_url, port=args.port) as server:
        auth = {"Authorization": f"Bearer {server.login(ADMIN, PASSWORD)}"}
        for name, q in prepared["cases"].items():
            path = "/api/v1/search?" + urlencode(
                {"q": q, "types": "customers,contacts", "limit": 8}
            )
            print(f"{name}: {q}", file=sys.stderr, flush=True)
            case = {"q": q, "c1": measure(server, path, 1, headers=auth)}
            if name == "common_2_char_word":
                case["c16"] = measure(server, path, 16, headers=auth)
            report["cases"][name] = case
        t1, t2 = (prepared["tags"] + [1, 2])[:2]
        path = "/api/v1/customers?" + urlencode(
            [
                ("stage", "customer"),
                ("grade", "A"),
                ("industry", "C"),
                ("tags_all", t1),
                ("tags_all", t2),
                ("limit", 50),
            ]
        )
        print("list filtered", file=sys.stderr, flush=True)
        report["cases"]["list_3_filters_tags_all_2"] = {
            "path": path,
            "c1": measure(server, path, 1, headers=auth),
        }
        print("creates with the index", file=sys.stderr, flush=True)
        report["creates_with_index"] = creates(server, auth)
    with running_server(
        args.database_url, port=args.port, extra_env={"CRM_SEARCH_INDEX": "off"}
    ) as server:
        auth = {"Authorization": f"Bearer {server.login(ADMIN, PASSWORD)}"}
        print("creates without the index", file=sys.stderr, flush=True)
        report["creates_without_index"] = creates(server, auth)
    with_rps = report["creates_with_index"]["rps"]
    without_rps = report["creates_without_index"]["rps"]
    report["create_rps_drop"] = round(1 - with_rps / without_rps, 3) if without_rps else None
    print(json.dumps(report, ensure_ascii=False, indent=2), flush=True)
    # the customers the no-index run created must be found too
    asyncio.run(_reindex_missing(args.database_url))


def _fresh_id_numbers(count: int) -> list[str]:
    """Valid resident ID numbers born 1930-1954, which bench.generate never makes (it draws
    1955-2004), random per run so that runs on one database seldom collide."""
    from datetime import date, timedelta

    from stdnum.cn import ric

    rng = random.Random()
    seen: set[str] = set()
    while len(seen) < count:
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(25 * 365))
        body = f"110101{born:%Y%m%d}{rng.randrange(1000):03d}"
        seen.add(body + ric.calc_check_digit(body + "0"))  # it reads all but the last
    return sorted(seen)


async def _reindex_missing(url: str) -> None:
    """Index the customers the no-index run created, so the database stays consistent."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from persistence.search.index import refresh

    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session, session.begin():
            missing = (
                (
                    await session.execute(
                        select(Customer.id).where(
                            ~select(SearchDoc.customer_id)
                            .where(SearchDoc.customer_id == Customer.id)
                            .exists()
                        )
                    )
                )
                .scalars()
                .all()
            )
            await session.run_sync(lambda s: refresh(s, missing))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    main()
