"""The layering rules of STYLE.md, checked on the import statements."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "domain": {
        "fastapi",
        "sqlalchemy",
        "pydantic",
        "pydantic_settings",
        "apscheduler",
        "pandas",
        "starlette",
        "api",
        "persistence",
        "jobs",
    },
    "persistence": {"fastapi", "starlette", "api", "jobs", "config"},
    "api": {"apscheduler"},
    # Jobs run without the web server (`crm run-job`); the API starts them, not the reverse.
    "jobs": {"fastapi", "starlette", "api"},
    "migrations": {"fastapi", "starlette", "api", "jobs"},
    # The configuration is read by every process and depends on none of the layers.
    "config": {"fastapi", "starlette", "sqlalchemy", "api", "domain", "persistence", "jobs"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_layers(package):
    offenders = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = imported_modules(path) & FORBIDDEN[package]
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_only_jobs_scheduler_imports_apscheduler():
    users = [
        str(p.relative_to(ROOT))
        for p in ROOT.glob("*/**/*.py")
        if ".venv" not in p.parts and "apscheduler" in imported_modules(p)
    ]
    assert all(p == "jobs/scheduler.py" for p in users), users
