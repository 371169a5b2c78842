"""Helpers for the search tests: isolated owners and unmistakable names."""

import random

from tests.conftest import create_customer, make_user

_rng = random.Random()
# Rare characters, so a token made of them names nothing else in the shared test database.
_RARE = [chr(c) for c in range(0x4E00 + 8000, 0x4E00 + 16000)]


def token(length: int = 3) -> str:
    return "".join(_rng.choice(_RARE) for _ in range(length))


async def fresh_manager(client, database):
    """An account manager owning nothing yet: their searches see only what a test makes."""
    return await make_user(client, database, "account_manager")


async def customer_with(client, user, *, contacts=(), **fields) -> dict:
    customer = await create_customer(client, user, **fields)
    for contact in contacts:
        response = await client.post(
            f"/customers/{customer['id']}/contacts", json=contact, headers=user.headers
        )
        assert response.status_code == 201, response.text
    return customer


async def search(client, user, q: str, **params) -> dict:
    response = await client.get("/search", params={"q": q, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    return {group["type"]: group for group in response.json()["groups"]}


async def customer_ids(client, user, q: str) -> list[int]:
    return [hit["id"] for hit in (await search(client, user, q))["customers"]["items"]]
