"""bench.imports end to end on a small PostgreSQL database: it must run through and report
what it measured, or the README's import and export figures cannot be made again."""

import json

from bench import generate, imports
from tests.conftest import fresh_database


def test_a_small_run_reports_every_figure(tmp_path, capfd):
    with fresh_database("postgresql", tmp_path) as url:
        generate.main(["--customers", "600", "--database-url", url, "--jobs", "1"])
        capfd.readouterr()
        imports.main(
            ["--database-url", url, "--rows", "300", "--duplicates", "0.1", "--port", "8797"]
        )
        report = json.loads(capfd.readouterr().out)
    counts = report["commit"]["counts"]
    assert report["commit"]["status"] == "committed"
    assert counts["create"] + counts["skipped"] == 300 and counts["errors"] == 0
    assert counts["skipped"] == report["duplicates_in_file"] == 30
    assert report["dry_run"]["counts"] == {**counts}
    export = report["export"]
    assert export["rows"] > 0 and len(export["runs"]) == len(export["bare_runs"]) == 3
    memory = report["server_rss_mb"]
    assert memory["peak"] >= memory["at_rest"] > 0 and memory["upload_reader_peak"] > 0
