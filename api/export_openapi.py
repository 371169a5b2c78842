"""Write the app's OpenAPI document to openapi/openapi.json (keys sorted, stable diff)."""

import json
import sys
from pathlib import Path

from api.app import create_app
from config import Settings

OPENAPI_FILE = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render() -> str:
    # Any database URL will do: building the schema never connects.
    app = create_app(Settings(database_url="sqlite:///:memory:", secret_key="unused"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    OPENAPI_FILE.parent.mkdir(exist_ok=True)
    OPENAPI_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {OPENAPI_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
