"""Benchmark of imports and exports against a big database.

    python -m bench.imports --database-url postgresql://postgres@127.0.0.1:5432/crm_bench_x \
        [--rows 100000] [--duplicates 0.1] [--export-source advertising]

Works on a copy of a database bench/generate.py filled (never on the shared original: the
commit writes). Makes a customer .xlsx of `--rows` rows and 15 columns (two contacts a row,
a share of rows repeating existing customers' credit codes), starts the server, and measures
through HTTP, as a user would:

- the dry run (`mode=dry_run`, checked for `skip_duplicates`) and the commit
  (`mode=skip_duplicates`), each from the upload to the finished import record; then searches
  for imported customers while their search grams are filled, and how long that filling takes;
- an export of the customers of one source (`--export-source`, ~100,000 on the generated
  1M database, none of them imported) to .xlsx, against a bare xlsxwriter constant_memory
  write of the same rows: the exported file's own cells, read back untimed. Each is timed
  three times, alternating, and the medians compared (the machine is noisy);
- the server's resident memory: at rest before the uploads, and its peak (VmHWM); and the
  peak of the child process that reads the uploads (the reader holds a whole sheet).

Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import python_calamine
import xlsxwriter
from sqlalchemy.engine import make_url
from stdnum.cn import uscc

from bench.generate import ADMIN, PASSWORD
from bench.server import running_server
from persistence.migrate import upgrade

HEADERS = [
    "客户名称",
    "统一社会信用代码",
    "行业",
    "规模",
    "地区",
    "地址",
    "客户阶段",
    "客户来源",
    "紧急程度",
    "联系人",
    "职务",
    "手机",
    "邮箱",
    "联系人2",
    "手机2",
]
REGIONS = ["上海市浦东新区", "北京市海淀区", "广东省深圳市", "浙江省杭州市", "江苏省苏州市"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _existing_codes(url: str, count: int) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT name, credit_code FROM customer WHERE credit_code IS NOT NULL "
            "ORDER BY random() LIMIT $1",
            count,
        )
    finally:
        await connection.close()
    return [(r["name"], r["credit_code"]) for r in rows]


def make_file(path: Path, rows: int, duplicates: list[tuple[str, str]], seed: int) -> None:
    """The upload: new organisations with two contacts each, and the duplicates spread
    through the file."""
    rng = random.Random(seed)
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("客户")
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header)
    every = max(1, rows // max(1, len(duplicates))) if duplicates else 0
    dup = iter(duplicates)
    for n in range(1, rows + 1):
        pair = next(dup, None) if every and n % every == 0 else None
        if pair is not None:
            name, code = pair
        else:
            body = f"91990000{n:09d}"  # region 990000: no generated customer has it
            name, code = f"基准导入{n:06d}科技有限公司", body + uscc.calc_check_digit(body)
        values = [
            name,
            code,
            rng.choice(["I", "C65"[:1], "F", "M"]),
            rng.choice(["0-20人", "20-100人", "100-500人"]),
            rng.choice(REGIONS),
            f"科技路{n % 999 + 1}号",
            rng.choice(["潜在", "意向", "成交"]),
            rng.choice(["展会", "线上", "转介绍"]),
            rng.choice(["高", "中", "低"]),
            f"联系人{n}",
            "经理",
            13700000000 + n,  # a number, as Excel keeps it
            f"c{n}@bench-import.example",
            f"副联系人{n}",
            f"136{n:08d}",
        ]
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(n, col, value)
            else:
                sheet.write_string(n, col, value)
    book.close()


async def _without_grams(url: str) -> int:
    connection = await asyncpg.connect(_dsn(url))
    try:
        return await connection.fetchval("SELECT count(*) FROM search_doc WHERE grams IS NULL")
    finally:
        await connection.close()


def search_while_filling(client: httpx.Client, token: str, url: str) -> dict:
    """Searches for imported customers while their grams are still being filled (read by
    their text meanwhile): the median of five, and how many documents were waiting."""
    waiting = asyncio.run(_without_grams(url))
    seconds, found = [], []
    for n in (11, 20_011, 40_011, 60_011, 80_011):
        started = time.perf_counter()
        response = client.get(
            "/api/v1/search",
            params={"q": f"基准导入{n:06d}", "types": "customers"},
            headers={"Authorization": f"Bearer {token}"},
        )
        seconds.append(time.perf_counter() - started)
        response.raise_for_status()
        found.append(len(response.json()["groups"][0]["items"]))
    return {
        "documents_waiting": waiting,
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "found": found,
    }


def wait_for_grams(url: str) -> float:
    """Seconds until no document waits for its grams."""
    started = time.perf_counter()
    while asyncio.run(_without_grams(url)):
        time.sleep(0.5)
    return time.perf_counter() - started


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_import(client: httpx.Client, token: str, path: Path, **form: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with open(path, "rb") as f:
        response = client.post(
            "/api/v1/imports",
            headers={"Authorization": f"Bearer {token}"},
            data=form,
            files={"file": (path.name, f, XLSX)},
            timeout=600,
        )
    if response.status_code not in (201, 202):
        raise RuntimeError(f"upload: {response.status_code} {response.text[:500]}")
    body = response.json()
    while body["status"] in ("queued", "running"):
        time.sleep(0.2)
        body = client.get(
            f"/api/v1/imports/{body['id']}", headers={"Authorization": f"Bearer {token}"}
        ).json()
    return time.perf_counter() - started, body


def export_once(client: httpx.Client, token: str, source: str) -> tuple[float, int, bytes]:
    """One export as a user makes it: the request, over 50,000 rows the link in the inbox,
    the download. Returns seconds, rows and the file."""
    auth = {"Authorization": f"Bearer {token}"}
    seen = {n["id"] for n in client.get("/api/v1/notifications", headers=auth).json()["items"]}
    started = time.perf_counter()
    response = client.get(
        "/api/v1/customers/export", headers=auth, params={"source": source, "format": "xlsx"}
    )
    if response.status_code == 202:
        rows = response.json()["rows"]
        link = None
        while link is None:
            time.sleep(0.1)
            inbox = client.get("/api/v1/notifications", headers=auth).json()["items"]
            link = next(
                (n["body"] for n in inbox if n["kind"] == "export_ready" and n["id"] not in seen),
                None,
            )
        response = client.get(link, headers=auth)
    else:
        rows = int(response.headers.get("x-export-rows", 0))
    if response.status_code != 200:
        raise RuntimeError(f"export: {response.status_code} {response.text[:300]}")
    return time.perf_counter() - started, rows, response.content


def exported_rows(content: bytes) -> list[list]:
    """The data rows of an exported file, as the cells it holds (untimed)."""
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(
        0
    )
    return sheet.to_python()[1:]


def bare_write(rows: list[list], columns: int) -> float:
    """xlsxwriter constant_memory writing the same rows, typed as the export types them."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        book = xlsxwriter.Workbook(
            Path(tmp) / "bare.xlsx", {"constant_memory": True, "remove_timezone": True}
        )
        sheet = book.add_worksheet("客户")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for col in range(columns):
            sheet.write_string(0, col, f"列{col}")
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write_number(r, c, float(value))
        book.close()
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--export-source", default="advertising")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("the benchmark runs on PostgreSQL")
    upgrade(args.database_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers-100k.xlsx"
        dups = asyncio.run(_existing_codes(args.database_url, int(args.rows * args.duplicates)))
        log(f"writing {args.rows} rows ({len(dups)} duplicates) to {path.name}")
        make_file(path, args.rows, dups, args.seed)
        size = path.stat().st_size
        with running_server(
            args.database_url,
            port=args.port,
            workers=1,
            startup_timeout=120,
            extra_env={"CRM_VAR_DIR": tmp},
        ) as server:
            pid = server.process.pid
            token = server.login(ADMIN, PASSWORD)
            client = httpx.Client(base_url=server.base_url, timeout=600)
            client.get(
                "/api/v1/customers",
                params={"limit": 1},
                headers={"Authorization": f"Bearer {token}"},
            )
            rss_start = rss_mb(pid)
            log("dry run")
            dry_s, dry = run_import(
                client, token, path, kind="customers", mode="dry_run", simulate="skip_duplicates"
            )
            log(f"dry run {dry_s:.1f} s: {dry['counts']}")
            peak_dry = rss_mb(pid, "VmHWM")
            log("commit")
            commit_s, done = run_import(
                client, token, path, kind="customers", mode="skip_duplicates"
            )
            log(f"commit {commit_s:.1f} s: {done['status']} {done['counts']}")
            searched = search_while_filling(client, token, args.database_url)
            log(f"search while grams are filled: {searched}")
            grams_s = wait_for_grams(args.database_url)
            log(f"grams filled {grams_s:.1f} s after the commit")
            peak_commit = rss_mb(pid, "VmHWM")
            log("export")
            export_runs, bare_runs = [], []
            for _ in range(3):
                seconds, export_rows, content = export_once(client, token, args.export_source)
                export_runs.append(seconds)
                rows = exported_rows(content)
                bare_runs.append(bare_write(rows, len(rows[0]) if rows else 0))
                log(f"export {seconds:.1f} s, bare write {bare_runs[-1]:.1f} s")
            rss_peak = rss_mb(pid, "VmHWM")
            # the process that reads uploads (a child of the server's), at its highest
            children = [
                c
                for task in Path(f"/proc/{pid}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
            reader_peak = max((rss_mb(int(c), "VmHWM") for c in children), default=0.0)
    export_s, bare_s = statistics.median(export_runs), statistics.median(bare_runs)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_bytes": size,
                "columns": len(HEADERS),
                "duplicates_in_file": len(dups),
                "dry_run": {
                    "seconds": round(dry_s, 2),
                    "status": dry["status"],
                    "counts": dry["counts"],
                },
                "commit": {
                    "seconds": round(commit_s, 2),
                    "status": done["status"],
                    "counts": done["counts"],
                    "rows_per_second": round(args.rows / commit_s),
                    # the search grams of the created customers, filled after the commit
                    "search_while_grams_filled": searched,
                    "grams_filled_after_seconds": round(grams_s, 1),
                },
                "export": {
                    "rows": export_rows,
                    "seconds": round(export_s, 2),
                    "bytes": len(content),
                    "bare_xlsxwriter_seconds": round(bare_s, 2),
                    "ratio": round(export_s / bare_s, 2),
                    "runs": [round(x, 2) for x in export_runs],
                    "bare_runs": [round(x, 2) for x in bare_runs],
                },
                # VmHWM: the highest so far, read after each step
                "server_rss_mb": {
                    "at_rest": round(rss_start),
                    "peak_by_dry_run": round(peak_dry),
                    "peak_by_commit": round(peak_commit),
                    "peak": round(rss_peak),
                    "growth": round(rss_peak - rss_start),
                    "upload_reader_peak": round(reader_peak),
                },
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
