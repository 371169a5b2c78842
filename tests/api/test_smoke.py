async def test_health_reports_the_database(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_account_manager_creates_and_reads_own_customer(client, users):
    from tests.conftest import create_customer

    created = await create_customer(client, users["am"])
    assert created["owner_id"] == users["am"].id
    assert created["code"].startswith("C") and len(created["code"]) == 13
    response = await client.get(f"/customers/{created['id']}", headers=users["am"].headers)
    assert response.status_code == 200
    assert response.json()["name"] == created["name"]
    other = await client.get(f"/customers/{created['id']}", headers=users["am2"].headers)
    assert other.status_code == 404
