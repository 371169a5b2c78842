"""Ticket rules without a database: the priority matrix, the status machine, the reopen window,
who may do what, and least-loaded assignment."""

from datetime import UTC, datetime, timedelta, timezone
from itertools import product

import pytest

from domain.roles import Actor, Role
from domain.ticket import (
    ALLOWED,
    OPEN,
    Candidate,
    Priority,
    TicketAccess,
    TicketStatus,
    allowed_targets,
    can_assign,
    can_comment,
    can_create,
    can_read,
    can_work,
    least_loaded,
    priority_of,
    reopen_deadline_passed,
)

# ---- the priority matrix ---------------------------------------------------------------


class TestPriorityMatrix:
    @pytest.mark.parametrize(
        ("urgent", "important", "expected"),
        [
            (True, True, Priority.P1),
            (False, True, Priority.P2),
            (True, False, Priority.P3),
            (False, False, Priority.P4),
        ],
    )
    def test_urgency_times_importance(self, urgent, important, expected):
        assert priority_of(urgent=urgent, important=important) is expected


# ---- the status machine ------------------------------------------------------------------

S = TicketStatus
# Written out from the design (§2.5), independently of domain.ticket.ALLOWED:
# new → assigned → in_progress ⇄ waiting_customer → resolved → closed, resolved/closed →
# reopened → in_progress, and cancelled from every open state.
EXPECTED_MOVES = {
    ("new", "assigned"),
    ("new", "cancelled"),
    ("assigned", "in_progress"),
    ("assigned", "cancelled"),
    ("in_progress", "waiting_customer"),
    ("in_progress", "resolved"),
    ("in_progress", "cancelled"),
    ("waiting_customer", "in_progress"),
    ("waiting_customer", "resolved"),
    ("waiting_customer", "cancelled"),
    ("resolved", "closed"),
    ("resolved", "reopened"),
    ("closed", "reopened"),
    ("reopened", "in_progress"),
    ("reopened", "cancelled"),
}
STATUSES = [
    "new",
    "assigned",
    "in_progress",
    "waiting_customer",
    "resolved",
    "closed",
    "reopened",
    "cancelled",
]


class TestStatusMachine:
    def test_there_are_exactly_eight_statuses(self):
        assert sorted(s.value for s in TicketStatus) == sorted(STATUSES)

    @pytest.mark.parametrize(("current", "target"), list(product(STATUSES, STATUSES)))
    def test_a_move_is_allowed_iff_the_design_lists_it(self, current, target):
        expected = (current, target) in EXPECTED_MOVES
        assert (TicketStatus(target) in ALLOWED[TicketStatus(current)]) is expected
        assert (
            TicketStatus(target)
            in allowed_targets(TicketStatus(current), reopen_deadline_passed=False)
        ) is expected

    def test_open_states_are_those_that_can_still_be_cancelled(self):
        assert OPEN == {S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.REOPENED}
        assert {s for s in TicketStatus if S.CANCELLED in ALLOWED[s]} == set(OPEN)

    def test_a_passed_reopen_deadline_removes_reopened_and_nothing_else(self):
        assert allowed_targets(S.RESOLVED, reopen_deadline_passed=True) == {S.CLOSED}
        assert allowed_targets(S.CLOSED, reopen_deadline_passed=True) == frozenset()
        assert allowed_targets(S.IN_PROGRESS, reopen_deadline_passed=True) == {
            S.WAITING_CUSTOMER,
            S.RESOLVED,
            S.CANCELLED,
        }


class TestReopenWindow:
    FINISHED = datetime(2024, 10, 14, 10, 0, tzinfo=UTC)

    def test_29_days_after_finishing_it_may_reopen(self):
        assert not reopen_deadline_passed(self.FINISHED, self.FINISHED + timedelta(days=29))

    def test_31_days_after_finishing_it_may_not(self):
        assert reopen_deadline_passed(self.FINISHED, self.FINISHED + timedelta(days=31))

    def test_an_unfinished_ticket_has_no_deadline(self):
        assert not reopen_deadline_passed(None, self.FINISHED + timedelta(days=400))


# ---- the policy ---------------------------------------------------------------------------

OWNER, ASSIGNEE, COLLABORATOR, STRANGER = 10, 20, 30, 40
DEPARTMENT, COLLAB_DEPARTMENT, OTHER_DEPARTMENT = 100, 200, 300
TICKET = TicketAccess(
    customer_owner_id=OWNER,
    department_id=DEPARTMENT,
    assignee_id=ASSIGNEE,
    collaborator_user_ids=frozenset({COLLABORATOR}),
    collaborator_department_ids=frozenset({COLLAB_DEPARTMENT}),
)
UNROUTED = TicketAccess(
    customer_owner_id=OWNER,
    department_id=None,
    assignee_id=None,
    collaborator_user_ids=frozenset(),
    collaborator_department_ids=frozenset(),
)

ADMIN = Actor(STRANGER, Role.ADMIN)
SUPERVISOR = Actor(STRANGER, Role.SUPERVISOR)
READONLY = Actor(STRANGER, Role.READONLY)
AM_OWNER = Actor(OWNER, Role.ACCOUNT_MANAGER)
AM_OTHER = Actor(STRANGER, Role.ACCOUNT_MANAGER, DEPARTMENT)  # in the ticket's department
AM_COLLABORATOR = Actor(COLLABORATOR, Role.ACCOUNT_MANAGER)
AGENT_ASSIGNEE = Actor(ASSIGNEE, Role.AGENT, OTHER_DEPARTMENT)
AGENT_COLLABORATOR = Actor(COLLABORATOR, Role.AGENT, OTHER_DEPARTMENT)
AGENT_IN_DEPARTMENT = Actor(STRANGER, Role.AGENT, DEPARTMENT)
AGENT_IN_COLLAB_DEPARTMENT = Actor(STRANGER, Role.AGENT, COLLAB_DEPARTMENT)
AGENT_ELSEWHERE = Actor(STRANGER, Role.AGENT, OTHER_DEPARTMENT)
AGENT_NO_DEPARTMENT = Actor(STRANGER, Role.AGENT, None)
READONLY_COLLABORATOR = Actor(COLLABORATOR, Role.READONLY)


class TestCanRead:
    @pytest.mark.parametrize(
        ("actor", "expected"),
        [
            (ADMIN, True),
            (SUPERVISOR, True),
            (READONLY, True),
            (AM_OWNER, True),
            (AM_OTHER, False),
            (AM_COLLABORATOR, True),
            (AGENT_ASSIGNEE, True),
            (AGENT_COLLABORATOR, True),
            (AGENT_IN_DEPARTMENT, True),
            (AGENT_IN_COLLAB_DEPARTMENT, True),
            (AGENT_ELSEWHERE, False),
            (AGENT_NO_DEPARTMENT, False),
        ],
    )
    def test_who_sees_a_ticket(self, actor, expected):
        assert can_read(actor, TICKET) is expected

    def test_an_agent_without_a_department_does_not_see_unrouted_tickets(self):
        assert not can_read(AGENT_NO_DEPARTMENT, UNROUTED)
        assert can_read(SUPERVISOR, UNROUTED)


class TestCanWork:
    @pytest.mark.parametrize(
        ("actor", "expected"),
        [
            (ADMIN, True),
            (SUPERVISOR, True),
            (READONLY, False),
            (AM_OWNER, False),
            (AM_OTHER, False),
            (AGENT_ASSIGNEE, True),
            (AGENT_COLLABORATOR, False),
            (AGENT_IN_DEPARTMENT, False),
            (AGENT_IN_COLLAB_DEPARTMENT, False),
            (AGENT_ELSEWHERE, False),
        ],
    )
    def test_only_the_assignee_supervisors_and_admins_work_it(self, actor, expected):
        assert can_work(actor, TICKET) is expected

    def test_no_agent_works_an_unassigned_ticket(self):
        assert not can_work(AGENT_ASSIGNEE, UNROUTED)
        assert can_work(SUPERVISOR, UNROUTED)


class TestCanComment:
    @pytest.mark.parametrize(
        ("actor", "expected"),
        [
            (ADMIN, True),
            (SUPERVISOR, True),
            (READONLY, False),
            (READONLY_COLLABORATOR, False),
            (AM_OWNER, True),
            (AM_OTHER, False),
            (AM_COLLABORATOR, True),
            (AGENT_ASSIGNEE, True),
            (AGENT_COLLABORATOR, True),
            (AGENT_IN_COLLAB_DEPARTMENT, True),
            (AGENT_ELSEWHERE, False),
        ],
    )
    def test_who_comments(self, actor, expected):
        assert can_comment(actor, TICKET) is expected


class TestCanAssign:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            (Role.ADMIN, True),
            (Role.SUPERVISOR, True),
            (Role.ACCOUNT_MANAGER, False),
            (Role.AGENT, False),
            (Role.READONLY, False),
        ],
    )
    def test_only_supervisors_and_admins_assign(self, role, expected):
        assert can_assign(Actor(ASSIGNEE, role, DEPARTMENT)) is expected


class TestCanCreate:
    @pytest.mark.parametrize(
        ("actor", "expected"),
        [
            (ADMIN, True),
            (SUPERVISOR, True),
            (READONLY, False),
            (AM_OWNER, True),
            (AM_OTHER, False),
            (AGENT_ELSEWHERE, True),
            (AGENT_NO_DEPARTMENT, True),
        ],
    )
    def test_who_opens_tickets_for_a_customer(self, actor, expected):
        assert can_create(actor, customer_owner_id=OWNER) is expected


# ---- least-loaded assignment -------------------------------------------------------------

T0 = datetime(2024, 10, 14, 1, 0, tzinfo=UTC)


class TestLeastLoaded:
    def test_nobody_to_pick(self):
        assert least_loaded([]) is None

    def test_fewest_open_tickets_wins_even_over_the_longest_idle(self):
        assert (
            least_loaded(
                [
                    Candidate(1, 2, T0),
                    Candidate(2, 0, T0 + timedelta(hours=5)),
                    Candidate(3, 1, None),
                ]
            )
            == 2
        )

    def test_a_tie_goes_to_the_longest_idle(self):
        assert (
            least_loaded(
                [
                    Candidate(1, 1, T0 + timedelta(hours=1)),
                    Candidate(2, 1, T0),
                    Candidate(3, 1, T0 + timedelta(hours=2)),
                ]
            )
            == 2
        )

    def test_never_assigned_counts_as_the_longest_idle(self):
        assert least_loaded([Candidate(1, 0, T0), Candidate(5, 0, None)]) == 5

    def test_idle_time_compares_instants_not_wall_clocks(self):
        # 08:30 in Shanghai is 00:30 UTC, before 01:00 UTC: that one is idle longer, though
        # its wall clock reads later.
        shanghai = timezone(timedelta(hours=8))
        earlier = datetime(2024, 10, 14, 8, 30, tzinfo=shanghai)
        assert least_loaded([Candidate(2, 0, T0), Candidate(1, 0, earlier)]) == 1
        assert least_loaded([Candidate(1, 0, T0), Candidate(2, 0, earlier)]) == 2

    def test_a_full_tie_goes_to_the_lowest_id(self):
        assert (
            least_loaded([Candidate(9, 0, None), Candidate(4, 0, None), Candidate(7, 0, None)]) == 4
        )
        assert least_loaded([Candidate(9, 3, T0), Candidate(4, 3, T0)]) == 4
