"""The committed contract is what the app serves; every operation is documented."""

import json

from api.export_openapi import OPENAPI_FILE, render


def test_committed_openapi_matches_the_app():
    committed = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(render()), "openapi/openapi.json is stale: run `make openapi`"


def test_every_operation_has_id_summary_tag_and_problem_responses():
    spec = json.loads(render())
    operation_ids = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("operationId"), where
            assert operation.get("summary"), where
            assert operation.get("tags"), where
            operation_ids.append(operation["operationId"])
            errors = [code for code in operation["responses"] if code.startswith(("4", "5"))]
            if not path.startswith("/api/v1/health"):  # probes answer plain JSON
                assert errors, f"{where} documents no error responses"
                for code in errors:
                    content = operation["responses"][code].get("content", {})
                    assert "application/problem+json" in content, f"{where} {code}"
    assert len(operation_ids) == len(set(operation_ids))


def test_schema_names_generate_clean_client_names():
    """Two classes of one name (say two `Status` enums) come out module-qualified
    (`domain__ticket__Status`), which generated clients turn into awkward names."""
    names = json.loads(render())["components"]["schemas"]
    awkward = sorted(name for name in names if not name.replace("_", "").isalnum() or "__" in name)
    assert awkward == []
