"""docker-compose.yml is the production shape; validate it with whichever Compose client exists.

.ci/run installs Compose v1 (Debian's docker-compose), so CI always runs this; a laptop without
any Compose client skips it.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "pw",
    "REDIS_PASSWORD": "rpw",
    "SECRET_KEY": "k" * 60,
    "ALLOWED_HOSTS": "crm.example.fi",
    "SITE_URL": "https://crm.example.fi",
    "CONTROLLER_NAME": "Esimerkki Oy",
    "CONTROLLER_ADDRESS": "Esimerkkikatu 1, 00100 Helsinki",
    "PRIVACY_CONTACT_EMAIL": "tietosuoja@example.fi",
    "SUPPRESSION_KEY": "s" * 40,
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


def _compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    pytest.skip("no Compose client here (.ci/run installs one)")


def _config(env):
    return subprocess.run(
        [*_compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_and_has_the_production_services():
    result = _config(SECRETS)
    assert result.returncode == 0, result.stderr

    services = yaml.safe_load(result.stdout)["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= services.keys()
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert services["web"]["environment"]["REDIS_URL"] == "redis://:rpw@redis:6379/0"
    # web is reachable only through the proxy on this host
    assert "127.0.0.1" in str(services["web"]["ports"])
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert "beat" in services["beat"]["command"]
    volumes = {
        v.split(":")[0] if isinstance(v, str) else v["source"]
        for s in ("postgres", "redis")
        for v in services[s]["volumes"]
    }
    assert {"pgdata", "redisdata"} <= volumes


def test_compose_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in SECRETS.items() if k != "SECRET_KEY"}

    result = _config(env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
