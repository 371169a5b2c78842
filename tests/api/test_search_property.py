"""Property: after a random sequence of writes through the API (creates, renames, contacts
added, changed and deleted, archives, deletes), search answers exactly what a brute-force scan
of the base tables under the domain rule answers: same customers, same order. Both back-ends."""

import random

import pytest
from sqlalchemy import select

from domain.roles import Actor, Role
from domain.search import rules
from persistence.models import Contact, Customer
from persistence.search import query as search_query
from tests.api.search_support import fresh_manager
from tests.conftest import create_customer

ALPHABET = "王李明达恒华科技杭州"  # few characters: queries match many customers, in every tier
MOBILES = ["1381234" + f"{i:04d}" for i in range(6)] + ["1391234" + f"{i:04d}" for i in range(6)]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 5)))


async def _brute_force(database, actor: Actor, owner_id: int, text: str) -> list[int]:
    q = rules.parse(text)
    if q.empty:
        return []
    async with database.session(write=False) as session:
        customers = (
            (
                await session.execute(
                    select(Customer).where(
                        Customer.owner_id == owner_id, Customer.archived.is_(False)
                    )
                )
            )
            .scalars()
            .all()
        )
        contacts = (
            (
                await session.execute(
                    select(Contact)
                    .where(Contact.customer_id.in_([c.id for c in customers]))
                    .order_by(Contact.id)
                )
            )
            .scalars()
            .all()
        )
    found = []
    for c in customers:
        doc = rules.document(
            rules.CustomerText(
                name=c.name,
                code=c.code,
                credit_code=c.credit_code,
                id_number=c.id_number,
                address=c.address,
                contacts=[x for x in contacts if x.customer_id == c.id],
            )
        )
        m = rules.match(doc, q)
        if m is not None:
            last = c.last_contact_at.timestamp() if c.last_contact_at else float("-inf")
            found.append((m.tier, -last, -c.id, c.id))
    return [row[-1] for row in sorted(found)]


@pytest.mark.parametrize(("seed", "walk_from"), [(1, None), (2, None), (3, None), (4, 1)])
async def test_search_equals_brute_force_after_random_writes(
    client, database, users, seed, walk_from, monkeypatch
):
    """walk_from=1: on SQLite every tier walks the customers in rank order (the plan for
    common queries) instead of reading the postings; the answer must be the same."""
    if walk_from is not None:
        monkeypatch.setattr(search_query, "_WALK_FROM", walk_from)
    rng = random.Random(seed)
    am = await fresh_manager(client, database)
    admin = users["admin"]
    live: dict[int, list[int]] = {}  # customer id -> its contact ids
    for _ in range(30):
        op = rng.choice(
            [
                "create",
                "create",
                "rename",
                "contact",
                "contact",
                "edit_contact",
                "drop_contact",
                "archive",
                "delete",
            ]
        )
        if op == "create" or not live:
            c = await create_customer(
                client,
                am,
                name=_name(rng),
                address=rng.choice([None, "杭州市西湖区", "北京市海淀区"]),
            )
            live[c["id"]] = []
            continue
        cid = rng.choice(sorted(live))
        if op == "rename":
            r = await client.patch(
                f"/customers/{cid}", json={"name": _name(rng)}, headers=admin.headers
            )
        elif op == "contact":
            r = await client.post(
                f"/customers/{cid}/contacts",
                headers=am.headers,
                json={"name": _name(rng), "mobile": rng.choice(MOBILES)},
            )
            if r.status_code == 201:
                live[cid].append(r.json()["id"])
        elif op == "edit_contact" and live[cid]:
            r = await client.patch(
                f"/customers/{cid}/contacts/{rng.choice(live[cid])}",
                headers=am.headers,
                json={"name": _name(rng), "mobile": rng.choice(MOBILES)},
            )
        elif op == "drop_contact" and live[cid]:
            contact_id = live[cid].pop()
            r = await client.delete(f"/customers/{cid}/contacts/{contact_id}", headers=am.headers)
        elif op == "archive":
            r = await client.post(
                f"/customers/{cid}/archive", json={"reason": "x"}, headers=admin.headers
            )
            del live[cid]
        elif op == "delete":
            r = await client.delete(f"/customers/{cid}", headers=admin.headers)
            del live[cid]
        else:
            continue
        assert r.status_code < 300, r.text
    queries = list(ALPHABET) + [
        "明达",
        "杭州",
        "科技",
        "王李",
        "1381234",
        "12340",
        "1391",
        "hz",
        "wang",
        "mdh",
        "西湖区",
        "海淀",
    ]
    actor = Actor(user_id=am.id, role=Role.ACCOUNT_MANAGER)
    for text in queries:
        response = await client.get(
            "/search", params={"q": text, "types": "customers", "limit": 50}, headers=am.headers
        )
        assert response.status_code == 200, response.text
        got = [h["id"] for h in response.json()["groups"][0]["items"]]
        assert got == (await _brute_force(database, actor, am.id, text))[:50], text
        listed = await client.get(
            "/customers", params={"q": text, "limit": 200}, headers=am.headers
        )
        assert sorted(c["id"] for c in listed.json()["items"]) == sorted(
            await _brute_force(database, actor, am.id, text)
        ), text
