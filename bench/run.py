"""HTTP benchmarks against a real server process.

    python -m bench.run customers --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_1m \
        [--workers 1] [--requests 2000] [--port 8765]

Starts uvicorn on 127.0.0.1 (bench/server.py), signs in as bench-admin (the data comes from
bench/generate.py), then for each scenario and each concurrency (1 and 16) sends a warm-up
and then --requests requests over keep-alive connections (bench/loadgen.py). Every response
must be 200. Prints one JSON object on stdout; the server is stopped however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import quote

from bench.bare_app import PATH as BARE_PATH
from bench.generate import ADMIN, PASSWORD
from bench.loadgen import build_request, run_load
from bench.server import running_server
from persistence.db import backend_name

# name -> path; the words are ones bench/generate.py puts into names: '科技' is in about a
# fifth of the company names, '恒通商' (恒通 + 商贸) in about one in two thousand.
SUITES = {
    "customers": {
        "list": "/api/v1/customers?limit=50",
        "name_contains_common": "/api/v1/customers?limit=50&name=" + quote("科技"),
        "name_contains_rare": "/api/v1/customers?limit=50&name=" + quote("恒通商"),
    },
}


def _event_loop_runner():
    """uvloop if installed (it comes with uvicorn[standard]): a cheaper client leaves more of
    the two cores to the server under test."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--requests", type=int, default=2000, help="measured requests per scenario and concurrency"
    )
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--concurrency", default="1,16", help="comma-separated")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120.0,
        help="stop a measurement early (marked truncated) after this long",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also measure bench/bare_app.py (one keyset query, no auth) and "
        "report the list's throughput as a share of it",
    )
    args = parser.parse_args(argv)
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    run = _event_loop_runner()

    report = {
        "suite": args.suite,
        "database": backend_name(args.database_url),
        "workers": args.workers,
        "scenarios": {},
    }

    def measure(server, name: str, path: str, headers: dict[str, str]) -> None:
        raw = [
            build_request(
                "GET",
                path,
                server.host,
                server.port,
                headers=headers | {"Accept": "application/json"},
            )
        ]
        results = []
        for concurrency in concurrencies:
            print(f"{name} at concurrency {concurrency}", file=sys.stderr, flush=True)
            run(
                run_load(
                    server.host,
                    server.port,
                    raw,
                    total=args.warmup,
                    concurrency=concurrency,
                    max_seconds=args.max_seconds,
                )
            )
            result = run(
                run_load(
                    server.host,
                    server.port,
                    raw,
                    total=args.requests,
                    concurrency=concurrency,
                    max_seconds=args.max_seconds,
                )
            )
            results.append(result.summary())
        report["scenarios"][name] = {"path": path, "results": results}

    with running_server(args.database_url, port=args.port, workers=args.workers) as server:
        for name, path in SUITES[args.suite].items():
            # Sign in per scenario: a slow run could outlive one 30-minute access token.
            token = server.login(ADMIN, PASSWORD)
            measure(server, name, path, {"Authorization": f"Bearer {token}"})
    if args.baseline:
        with running_server(
            args.database_url, port=args.port, workers=args.workers, app="bench.bare_app:create_app"
        ) as server:
            measure(server, "bare_app_list", BARE_PATH + "?limit=50", {})
        app, bare = (report["scenarios"][name]["results"] for name in ("list", "bare_app_list"))
        report["list_share_of_bare_rps"] = [
            round(mine["rps"] / theirs["rps"], 2) for mine, theirs in zip(app, bare, strict=True)
        ]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
