"""bench.bulk end to end, tiny: it must run through and report its figure, or the issue's
bulk-upsert number cannot be made again."""

import json

from bench import bulk


def test_a_tiny_run_reports_rows_per_second(capfd):
    bulk.main(["--customers", "100", "--upserts", "20", "--batch", "10", "--port", "8798",
               "--jobs", "1"])  # fmt: skip
    report = json.loads(capfd.readouterr().out)
    assert report["statuses"] == {"200": 10, "201": 10}
    assert report["rows_per_second"] > 0 and report["upserts"] == 20
