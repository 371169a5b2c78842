"""The `sla-scan` job against tickets opened through the API, at simulated times.

Hand-computed on the business calendar (Mon–Fri 09:00–18:00 Asia/Shanghai; 2024-10-14 is an
ordinary Monday after the National Day holiday). A P3 ticket (urgent, not important) opened
Mon 09:00: first response 120 working minutes → warning 10:36 (96 min), breach 11:00;
resolution 1620 min (3 × 9 h) → warning Wed 12:36 (1296 min), breach Wed 18:00. A P1 ticket
runs 24×7: first response 30 min → warning 09:24, breach 09:30; resolution 240 min → warning
12:12, breach 13:00. A P2 or P4 complaint has a 120-minute first response like P3.
"""

import pytest

from jobs.runner import AsOf
from jobs.sla_scan import run_sla_scan
from tests.jobs.conftest import local

MON = "2024-10-14"
WED = "2024-10-16"
EVERYONE = ("admin", "admin2", "agent", "supervisor")  # admin_off is inactive


def told(kind: str, *users: str) -> list[tuple[str, str]]:
    return [(user, kind) for user in users]


class TestWarningAndBreach:
    async def test_warning_at_80_percent_goes_to_assignee_supervisor_and_active_admins(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        quiet = await desk.run("sla-scan", local(f"{MON} 10:35:59"))
        assert quiet["ran"] and quiet["result"]["alerts"] == 0
        assert await desk.notified(t["id"]) == [] and await desk.alerts(t["id"]) == []

        run = await desk.run("sla-scan", local(f"{MON} 10:36"))
        assert run["result"]["first_response_warning"] == 1
        assert run["result"]["first_response_breach"] == 0
        assert await desk.notified(t["id"]) == sorted(told("sla_warning", *EVERYONE))
        assert await desk.alerts(t["id"]) == [("first_response", "warning")]
        assert await desk.sla_events(t["id"]) == [
            ("sla", {"target": "first_response", "threshold": "warning"})
        ]
        r = await desk.client.get("/notifications", headers=desk.users["agent"].headers)
        [warning] = [n for n in r.json()["items"] if n["kind"] == "sla_warning"]
        assert warning["entity_type"] == "ticket" and warning["entity_id"] == t["id"]
        assert t["code"] in warning["title"] and warning["read_at"] is None

    async def test_breach_at_100_percent(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        await desk.run("sla-scan", local(f"{MON} 10:36"))
        await desk.run("sla-scan", local(f"{MON} 10:59:59"))
        assert await desk.notified(t["id"], "sla_breach") == []

        run = await desk.run("sla-scan", local(f"{MON} 11:00"))
        assert run["result"]["first_response_breach"] == 1
        assert await desk.notified(t["id"]) == sorted(
            told("sla_warning", *EVERYONE) + told("sla_breach", *EVERYONE)
        )
        assert await desk.sla_events(t["id"]) == [
            ("sla", {"target": "first_response", "threshold": "warning"}),
            ("sla", {"target": "first_response", "threshold": "breach"}),
        ]

    async def test_a_late_first_scan_raises_warning_and_breach_together(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        run = await desk.run("sla-scan", local(f"{MON} 12:00"))
        assert run["result"]["first_response_warning"] == 1
        assert run["result"]["first_response_breach"] == 1
        assert await desk.alerts(t["id"]) == [
            ("first_response", "breach"),
            ("first_response", "warning"),
        ]

    async def test_resolution_thresholds_count_working_hours_only(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        r = await desk.call(
            local(f"{MON} 10:00"),
            "agent",
            "POST",
            f"/tickets/{t['id']}/comments",
            {"body": "您好，我们已收到。", "visibility": "public"},
        )
        assert r.status_code == 201, r.text
        await desk.run("sla-scan", local(f"{WED} 12:35"))
        assert await desk.alerts(t["id"]) == []
        await desk.run("sla-scan", local(f"{WED} 12:36"))
        assert await desk.alerts(t["id"]) == [("resolution", "warning")]
        await desk.run("sla-scan", local(f"{WED} 17:59"))
        assert await desk.alerts(t["id"]) == [("resolution", "warning")]
        await desk.run("sla-scan", local(f"{WED} 18:00"))
        assert await desk.alerts(t["id"]) == [("resolution", "breach"), ("resolution", "warning")]
        assert await desk.notified(t["id"], "sla_breach") == told("sla_breach", *EVERYONE)


class TestRecipients:
    async def test_a_user_in_several_roles_is_told_once(self, desk):
        by_supervisor = await desk.ticket(local(f"{MON} 09:00"), assignee="supervisor")
        by_admin = await desk.ticket(local(f"{MON} 09:00"), assignee="admin")
        await desk.run("sla-scan", local(f"{MON} 10:36"))
        expected = told("sla_warning", "admin", "admin2", "supervisor")
        assert await desk.notified(by_supervisor["id"]) == expected
        assert await desk.notified(by_admin["id"]) == expected

    async def test_a_ticket_of_a_department_without_members_tells_supervisor_and_admins(self, desk):
        # Pre-sales goes to sales, which has no members: its supervisor takes it (issue 15).
        t = await desk.ticket(local(f"{MON} 09:00"), type="presales_consult", assignee=None)
        assert t["assignee_id"] == desk.users["supervisor2"].id
        await desk.run("sla-scan", local(f"{MON} 10:36"))
        assert await desk.notified(t["id"]) == told("sla_warning", "admin", "admin2", "supervisor2")


class TestEscalation:
    @pytest.mark.parametrize(
        ("priority", "ticket_type", "before", "breach", "escalates"),
        [
            ("P1", "after_sales_repair", "09:29", "09:30", True),
            ("P2", "complaint", "10:59", "11:00", True),
            ("P3", "after_sales_repair", "10:59", "11:00", False),
            ("P4", "complaint", "10:59", "11:00", False),
        ],
    )
    async def test_only_p1_and_p2_breaches_escalate(
        self, desk, priority, ticket_type, before, breach, escalates
    ):
        t = await desk.ticket(local(f"{MON} 09:00"), priority=priority, type=ticket_type)
        await desk.run("sla-scan", local(f"{MON} {before}"))
        # a minute before the breach: the warning only, never an escalation
        assert await desk.alerts(t["id"]) == [("first_response", "warning")]
        assert await desk.notified(t["id"], "sla_escalation") == []

        await desk.run("sla-scan", local(f"{MON} {breach}"))
        escalations = [e for e in await desk.sla_events(t["id"]) if e[0] == "escalation"]
        if escalates:
            supervisor = desk.users["supervisor"].id
            assert escalations == [("escalation", {"to": supervisor, "target": "first_response"})]
            assert await desk.notified(t["id"], "sla_escalation") == [
                ("supervisor", "sla_escalation")
            ]
        else:
            assert escalations == []
            assert await desk.notified(t["id"], "sla_escalation") == []
        assert await desk.notified(t["id"], "sla_breach") == told("sla_breach", *EVERYONE)

    async def test_p1_resolution_breach_escalates_too(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P1")
        await desk.run("sla-scan", local(f"{MON} 09:30"))
        await desk.run("sla-scan", local(f"{MON} 12:12"))
        assert ("resolution", "warning") in await desk.alerts(t["id"])
        assert await desk.notified(t["id"], "sla_escalation") == [("supervisor", "sla_escalation")]
        await desk.run("sla-scan", local(f"{MON} 13:00"))
        assert [
            data["target"] for kind, data in await desk.sla_events(t["id"]) if kind == "escalation"
        ] == ["first_response", "resolution"]
        assert (
            await desk.notified(t["id"], "sla_escalation") == [("supervisor", "sla_escalation")] * 2
        )

    async def test_without_a_supervisor_the_admins_get_the_escalation(self, desk):
        t = await desk.ticket(
            local(f"{MON} 09:00"), priority="P1", type="technical_consult", assignee="tech_agent"
        )
        assert t["department_id"] == desk.tech_department_id
        await desk.run("sla-scan", local(f"{MON} 09:30"))
        assert ("escalation", {"to": None, "target": "first_response"}) in await desk.sla_events(
            t["id"]
        )
        assert await desk.notified(t["id"], "sla_escalation") == told(
            "sla_escalation", "admin", "admin2"
        )
        assert await desk.notified(t["id"], "sla_breach") == told(
            "sla_breach", "admin", "admin2", "tech_agent"
        )


class TestOnlyRunningClocksFire:
    async def test_a_ticket_waiting_for_the_customer_does_not_fire(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        for to in ("in_progress", "waiting_customer"):  # by an admin: not a first response
            r = await desk.call(
                local(f"{MON} 09:30"),
                "admin",
                "POST",
                f"/tickets/{t['id']}/transitions",
                {"to": to},
            )
            assert r.status_code == 200, r.text
        for at in ("10:36", "11:00", "13:59"):
            await desk.run("sla-scan", local(f"{MON} {at}"))
        assert await desk.alerts(t["id"]) == [] and await desk.notified(t["id"]) == []

        # Resumed at 14:00 after 270 paused working minutes: warning 15:06, breach 15:30.
        r = await desk.call(
            local(f"{MON} 14:00"),
            "admin",
            "POST",
            f"/tickets/{t['id']}/transitions",
            {"to": "in_progress"},
        )
        assert r.status_code == 200, r.text
        await desk.run("sla-scan", local(f"{MON} 15:05"))
        assert await desk.alerts(t["id"]) == []
        await desk.run("sla-scan", local(f"{MON} 15:06"))
        assert await desk.alerts(t["id"]) == [("first_response", "warning")]
        await desk.run("sla-scan", local(f"{MON} 15:30"))
        assert await desk.alerts(t["id"]) == [
            ("first_response", "breach"),
            ("first_response", "warning"),
        ]

    async def test_a_responded_ticket_does_not_fire_first_response(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P3")
        r = await desk.call(
            local(f"{MON} 10:00"),
            "agent",
            "POST",
            f"/tickets/{t['id']}/comments",
            {"body": "已安排工程师处理。", "visibility": "public"},
        )
        assert r.status_code == 201, r.text
        await desk.run("sla-scan", local(f"{MON} 12:00"))
        assert await desk.alerts(t["id"]) == [] and await desk.notified(t["id"]) == []

    async def test_a_resolved_ticket_does_not_fire(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P1")
        for to in ("in_progress", "resolved"):
            r = await desk.call(
                local(f"{MON} 09:10"),
                "agent",
                "POST",
                f"/tickets/{t['id']}/transitions",
                {"to": to},
            )
            assert r.status_code == 200, r.text
        await desk.run("sla-scan", local(f"{WED} 18:00"))
        assert await desk.alerts(t["id"]) == [] and await desk.notified(t["id"]) == []


class TestExactlyOnce:
    async def test_running_again_changes_nothing(self, desk):
        t = await desk.ticket(local(f"{MON} 09:00"), priority="P1")
        first = await desk.run("sla-scan", local(f"{MON} 09:30"))
        assert first["ran"] and first["result"]["alerts"] == 2
        before = await desk.totals()
        events = await desk.sla_events(t["id"])

        again = await desk.run("sla-scan", local(f"{MON} 09:30:40"))  # the same due minute
        assert again["ran"] is False and again["result"] is None
        assert await desk.totals() == before

        later = await desk.run("sla-scan", local(f"{MON} 09:31"))
        assert later["ran"] and later["result"]["alerts"] == 0
        assert await desk.totals() == {**before, "job_run": before["job_run"] + 1}

        # Even the job body on its own, bypassing the claim, raises nothing twice.
        assert (await run_sla_scan(desk.database, AsOf(local(f"{MON} 09:30"))))["alerts"] == 0
        assert {k: v for k, v in (await desk.totals()).items() if k != "job_run"} == {
            k: v for k, v in before.items() if k != "job_run"
        }
        assert await desk.sla_events(t["id"]) == events

    async def test_a_later_run_acts_only_on_new_thresholds(self, desk):
        early = await desk.ticket(local(f"{MON} 09:00"), priority="P1")
        late = await desk.ticket(local(f"{MON} 09:10"), priority="P1")  # warning 09:34
        await desk.run("sla-scan", local(f"{MON} 09:30"))
        told_early = await desk.notified(early["id"])
        assert await desk.alerts(late["id"]) == []

        run = await desk.run("sla-scan", local(f"{MON} 09:35"))
        assert run["result"]["alerts"] == 1 and run["result"]["first_response_warning"] == 1
        assert await desk.alerts(late["id"]) == [("first_response", "warning")]
        assert await desk.notified(early["id"]) == told_early
