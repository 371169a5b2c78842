"""Existence is not revealed through the pool, and look-alike text is one text."""

import pytest

from domain.text import clean, comparison_key
from tests.api.pool_support import release
from tests.conftest import create_customer, make_user, organization
from tests.support import assert_problem, uid


class TestPoolClaimRevealsNothing:
    async def test_claiming_another_managers_customer_is_the_404_of_a_missing_one(
        self, client, database, users
    ):
        owner = await make_user(client, database, "account_manager")
        theirs = await create_customer(client, owner)
        taken = await client.post(f"/pool/{theirs['id']}/claim", headers=users["am2"].headers)
        missing = await client.post("/pool/999999999/claim", headers=users["am2"].headers)
        body, missing_body = (
            assert_problem(taken, 404, "not-found"),
            assert_problem(missing, 404, "not-found"),
        )
        assert body["detail"].replace(str(theirs["id"]), "N") == missing_body["detail"].replace(
            "999999999", "N"
        )
        stored = await client.get(f"/customers/{theirs['id']}", headers=owner.headers)
        assert stored.json()["owner_id"] == owner.id

    async def test_a_pool_customer_is_still_claimable(self, client, database, users):
        owner = await make_user(client, database, "account_manager")
        customer = await create_customer(client, owner)
        await release(database, customer["id"])
        claimer = await make_user(client, database, "account_manager")
        response = await client.post(f"/pool/{customer['id']}/claim", headers=claimer.headers)
        assert response.status_code == 200, response.text


class TestLookAlikes:
    @pytest.mark.parametrize(
        "variant", ["V\u200bIP", "V\u0406P", "\uff36\uff29\uff30", "vip", " VIP ", "V\u00adIP"]
    )
    def test_variants_share_the_comparison_key(self, variant):
        assert comparison_key(variant) == comparison_key("VIP")

    def test_clean_folds_width_drops_invisibles_and_collapses_spaces(self):
        assert clean("  杭州\u200b明达\t\t电子\u3000有限公司\ufeff ") == "杭州明达 电子 有限公司"
        assert clean("ＡＢＣ１２３") == "ABC123"

    def test_cyrillic_look_alikes_fold_to_the_latin_letter_they_show(self):
        assert comparison_key("\u0412\u0415\u0421\u0422") == comparison_key("BECT")

    def test_distinct_names_stay_distinct(self):
        assert comparison_key("区域-华东") != comparison_key("区域-华南")
        assert comparison_key("VIP") != comparison_key("VIP1")

    async def test_look_alike_tags_are_one_tag(self, client, users):
        base = f"客户-VIP{uid()}"
        first = await client.post("/tags", json={"name": base}, headers=users["admin"].headers)
        assert first.status_code == 201, first.text
        for variant in (
            base.replace("VIP", "V\u200bIP"),
            base.replace("I", "\u0406"),
            base.replace("VIP", "\uff36\uff29\uff30"),
            base.lower(),
        ):
            response = await client.post(
                "/tags", json={"name": variant}, headers=users["admin"].headers
            )
            assert_problem(response, 409, "duplicate", field="name")
        tags = await client.get("/tags", headers=users["admin"].headers)
        assert sum(comparison_key(t["name"]) == comparison_key(base) for t in tags.json()) == 1

    async def test_renaming_to_a_look_alike_is_refused(self, client, users):
        a = (
            await client.post(
                "/tags", json={"name": f"区域-A{uid()}"}, headers=users["admin"].headers
            )
        ).json()
        b = (
            await client.post(
                "/tags", json={"name": f"区域-B{uid()}"}, headers=users["admin"].headers
            )
        ).json()
        response = await client.patch(
            f"/tags/{b['id']}",
            json={"name": a["name"].replace("区域", "区域\u200b")},
            headers=users["admin"].headers,
        )
        assert_problem(response, 409, "duplicate")

    async def test_names_are_stored_cleaned(self, client, users):
        suffix = uid()
        response = await client.post(
            "/customers",
            headers=users["admin"].headers,
            json=organization(name=f" 明达\u200b电子{suffix}\u3000 "),
        )
        assert response.status_code == 201, response.text
        assert response.json()["name"] == f"明达电子{suffix}"
