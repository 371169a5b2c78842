"""The `update-reminder` job: the customer-update interval ran out with no public reply.

A P3 ticket opened Mon 2024-10-14 09:00 owes the customer news every 1440 working minutes:
Mon 9 h + Tue 9 h + Wed 6 h → due Wed 15:00. A public reply at Wed 16:00 starts the next
interval: Wed 2 h + Thu 9 h + Fri 9 h + Mon 4 h → due Mon 2024-10-21 13:00.
"""

from tests.jobs.conftest import local


class TestUpdateReminder:
    async def test_reminds_the_assignee_once_per_interval(self, desk):
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P3")

        quiet = await desk.run("update-reminder", local("2024-10-16 14:59"))
        assert quiet["ran"] and await desk.notified(t["id"]) == []

        run = await desk.run("update-reminder", local("2024-10-16 15:00"))
        assert run["result"] == {"alerts": 1, "notifications": 1, "timeline_entries": 1}
        # the assignee only: not the supervisor, not the admins
        assert await desk.notified(t["id"]) == [("agent", "update_reminder")]
        assert await desk.alerts(t["id"]) == [("update", "breach")]
        assert await desk.sla_events(t["id"]) == [
            ("sla", {"target": "update", "threshold": "breach"})
        ]

        for at in ("2024-10-16 15:05", "2024-10-16 15:55"):
            later = await desk.run("update-reminder", local(at))
            assert later["ran"] and later["result"]["alerts"] == 0
        assert await desk.notified(t["id"]) == [("agent", "update_reminder")]

        r = await desk.call(
            local("2024-10-16 16:00"),
            "agent",
            "POST",
            f"/tickets/{t['id']}/comments",
            {"body": "工程师明天上门。", "visibility": "public"},
        )
        assert r.status_code == 201, r.text
        await desk.run("update-reminder", local("2024-10-21 12:55"))
        assert await desk.notified(t["id"]) == [("agent", "update_reminder")]
        await desk.run("update-reminder", local("2024-10-21 13:00"))
        assert await desk.notified(t["id"]) == [("agent", "update_reminder")] * 2
        assert await desk.alerts(t["id"]) == [("update", "breach")] * 2  # two cycles

    async def test_the_sla_scan_does_not_send_update_reminders(self, desk):
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P1")  # update due 11:00
        await desk.run("sla-scan", local("2024-10-14 11:00"))
        assert await desk.notified(t["id"], "update_reminder") == []
        await desk.run("update-reminder", local("2024-10-14 11:00"))
        assert await desk.notified(t["id"], "update_reminder") == [("agent", "update_reminder")]

    async def test_a_waiting_ticket_is_not_reminded(self, desk):
        t = await desk.ticket(local("2024-10-14 09:00"), priority="P1")
        for to in ("in_progress", "waiting_customer"):
            r = await desk.call(
                local("2024-10-14 09:05"),
                "agent",
                "POST",
                f"/tickets/{t['id']}/transitions",
                {"to": to},
            )
            assert r.status_code == 200, r.text
        await desk.run("update-reminder", local("2024-10-15 11:00"))
        assert await desk.notified(t["id"]) == [] and await desk.alerts(t["id"]) == []
