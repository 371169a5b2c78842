"""Push customers from a CSV into the CRM by their ERP ids, then print what changed.

Built on the Python client generated from openapi/openapi.json, used as generated (see
examples/README.md). Configuration:

    CRM_BASE_URL     the server, e.g. http://127.0.0.1:8000
    CRM_API_KEY      a key with customers:read and customers:write
    CRM_CLIENT_PATH  the directory holding the generated package `crm_client`

    python3 examples/sync_customers.py examples/customers.csv [--cursor-file FILE]

Each CSV row is one `PUT /customers/by-external-id/erp/{external_id}` (created or updated);
its columns are CustomerCreate's fields, `external_id` aside. Then the change feed is read
from where the last run stopped (the cursor kept in --cursor-file) or, the first time, from
just before this run's writes, and each change is printed on one line.
"""

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any

SYSTEM = "erp"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="customers: external_id plus CustomerCreate fields")
    parser.add_argument("--cursor-file", type=Path, help="where the feed's cursor is kept")
    parser.add_argument("--base-url", default=os.environ.get("CRM_BASE_URL"))
    parser.add_argument("--api-key", default=os.environ.get("CRM_API_KEY"))
    parser.add_argument("--client-path", default=os.environ.get("CRM_CLIENT_PATH"))
    args = parser.parse_args(argv)
    if not (args.base_url and args.api_key and args.client_path):
        parser.error("set CRM_BASE_URL, CRM_API_KEY and CRM_CLIENT_PATH (or the options)")

    sys.path.insert(0, args.client_path)
    from crm_client import AuthenticatedClient

    # The key goes as `Authorization: Bearer`, which the API takes as well as X-API-Key.
    with AuthenticatedClient(base_url=args.base_url, token=args.api_key) as client:
        cursor = _read_cursor(args.cursor_file) or _now(client)
        with args.csv.open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                print(_push(client, row))
        _follow(client, cursor, args.cursor_file)
    return 0


def _push(client: Any, row: dict[str, str]) -> str:
    from crm_client.api.customers import customersupsert_customer_by_external_id as upsert
    from crm_client.models import CustomerCreate, CustomerOut

    external_id = row.pop("external_id")
    fields = {name: value for name, value in row.items() if value != ""}
    response = upsert.sync_detailed(
        SYSTEM, external_id, client=client, body=CustomerCreate.from_dict(fields)
    )
    if not isinstance(response.parsed, CustomerOut):  # a problem, or 202 change requests
        raise SystemExit(f"{SYSTEM}/{external_id}: {response.status_code} {response.content!r}")
    verb = "created" if response.status_code == 201 else "updated"
    return f"{verb} {SYSTEM}/{external_id}: customer {response.parsed.id} {response.parsed.name}"


def _now(client: Any) -> str:
    from crm_client.api.changes import changeslist_changes

    page = _page(changeslist_changes.sync_detailed(client=client, since="now"))
    return str(page.next_cursor)


def _follow(client: Any, cursor: str, cursor_file: Path | None) -> None:
    """Print one line per change after `cursor`, storing the cursor after each page."""
    from crm_client.api.changes import changeslist_changes
    from crm_client.types import Unset

    while True:
        page = _page(changeslist_changes.sync_detailed(client=client, since=cursor, limit=200))
        for change in page.items:
            what = f"{change.action} {change.type_} {change.id}"
            body = change.body
            ids = change.external_ids if body is None else getattr(body, "external_ids", None)
            if ids is not None and not isinstance(ids, Unset):
                what += "".join(f" {s}/{v}" for s, v in sorted(ids.to_dict().items()) if v)
            if body is not None and getattr(body, "name", None):
                what += f" {body.name}"
            print(what)
        cursor = page.next_cursor
        if cursor_file is not None:
            cursor_file.write_text(cursor, encoding="utf-8")
        if not page.has_more:
            return


def _page(response: Any) -> Any:
    from crm_client.models import ChangePage

    if not isinstance(response.parsed, ChangePage):
        raise SystemExit(f"GET /changes: {response.status_code} {response.content!r}")
    return response.parsed


def _read_cursor(cursor_file: Path | None) -> str | None:
    if cursor_file is None or not cursor_file.exists():
        return None
    return cursor_file.read_text(encoding="utf-8").strip() or None


if __name__ == "__main__":
    sys.exit(main())
