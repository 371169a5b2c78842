"""bench.changes end to end, tiny: it must run through and report its figure, or the issue's
feed-drain number cannot be made again."""

import json
import os

import pytest

from bench import changes
from bench.bulk import own_database

# The feed waits for every transaction open on the PostgreSQL server: alone, as
# tests/api/test_changes.py.
pytestmark = pytest.mark.serial


def test_a_tiny_run_reports_changes_per_second(capfd):
    server = os.environ.get(
        "CRM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    with own_database(server) as url:
        changes.main(["--database-url", url, "--changes", "600", "--customers", "300",
                      "--runs", "1", "--port", "8797"])  # fmt: skip
    report = json.loads(capfd.readouterr().out)
    assert report["changes"] == 600 and report["changes_per_s"] > 0
    assert report["page_size"] == 1000 and report["entries"] > 0
