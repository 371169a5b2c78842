"""The image and the compose file, read as text: the properties `docker stop`, health checks,
upgrades and data safety depend on (building needs a Docker daemon, which CI may not have)."""

import json
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))


def instructions(name: str) -> list[str]:
    text = DOCKERFILE.replace("\\\n", " ")
    return [
        line.split(None, 1)[1].strip()
        for line in text.splitlines()
        if line.split(None, 1)[:1] == [name]
    ]


def test_the_server_is_pid_1_through_exec_form_and_exec():
    [entrypoint] = instructions("ENTRYPOINT")
    assert json.loads(entrypoint) == ["/app/deploy/entrypoint.sh"]
    assert all(cmd.startswith("[") for cmd in instructions("CMD"))
    script = (ROOT / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    assert script.rstrip().splitlines()[-1] == 'exec crm serve "$@"'
    assert (ROOT / "deploy" / "entrypoint.sh").stat().st_mode & 0o111


def test_health_check_volume_and_demo_data_only_on_request():
    [health] = instructions("HEALTHCHECK")
    assert "/api/v1/health" in health and "CMD [" in health
    assert json.loads(instructions("VOLUME")[0]) == ["/app/var"]
    assert "CRM_SEED_DEMO=0" in DOCKERFILE
    script = (ROOT / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    assert '"${CRM_SEED_DEMO:-0}" = "1"' in script


def test_tools_are_pinned():
    images = [arg.split("=", 1)[1] for arg in instructions("ARG") if "_IMAGE=" in arg]
    assert images and all(re.search(r":\d+\.\d+\.\d+-", image) for image in images), images
    assert "uv==" in DOCKERFILE and "--locked" in DOCKERFILE
    for service in COMPOSE["services"].values():
        image = service.get("image", "")
        if image and not image.startswith("crm:"):
            assert re.search(r":\d+\.\d+(\.\d+)?-", image), image


def test_compose_runs_two_replicas_after_one_migration_behind_a_proxy():
    services = COMPOSE["services"]
    assert set(services) == {"db", "migrate", "api", "proxy"}
    api = services["api"]
    assert api["deploy"]["replicas"] == 2
    assert api["environment"]["CRM_MIGRATE"] == "0"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "crm migrate" in shlex.join(services["migrate"]["entrypoint"])
    assert "CRM_SECRET_KEY" in api["environment"]
    assert "crm-var:/app/var" in api["volumes"]
    assert services["proxy"]["ports"] == ["8080:80"]
