"""The README's systemd unit (``territoires@.service``) and its settings file, as written there
(« Plusieurs processus derrière un serveur mandataire »).

- ``systemd-analyze verify`` accepts the unit for the instance ``territoires@8501``, with no
  warning at all (an unknown key or a wrong value is only a warning there);
- what matters for this app: restarted on failure, under the account the README creates, in
  the folder it may write to, one port per instance (``%i``), the settings file given;
- the README's ``geodata build`` line reads the settings file as systemd does;
- its ``ExecStart`` command, run as systemd would (the instance's port for ``%i``, the settings
  file's variables, its working folder, none of the test's environment), serves the app: the
  health endpoint answers; on a database out of reach it stops with status 2, which
  ``Restart=on-failure`` restarts.

The README's ``/opt/territoires/bin/territoires`` becomes the console script that ``pip
install`` writes for ``[project.scripts]`` (``#!python``, ``from territoires.cli import
console``), written by the test for this checkout's interpreter, with the checkout on its
``sys.path``; ``/srv/territoires`` becomes a temporary folder. ``systemd-analyze`` comes with
systemd (``.ci/run`` installs it): skipped without it locally, failed in CI. Running the
command needs PostgreSQL (the settings file's database).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from e2e_harness import ROOT, free_port, running_server
from readme_examples import readme_block, replaced, required_program

EXECUTABLE = "/opt/territoires/bin/territoires"
HOME = "/srv/territoires"
SETTINGS_FILE = f"{HOME}/territoires.env"
INSTANCES = ("8501", "8502")
# systemd's PATH for services; nothing else of the test's environment reaches the process.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CONSOLE_SCRIPT = """#!{python}
import sys
sys.path.insert(0, {checkout!r})
from {module} import {function}
sys.exit({function}())
"""


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """The unit's sections, each key with its values in order (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(text: str) -> dict[str, str]:
    """The variables of a systemd ``EnvironmentFile`` (``NAME=value``, ``#`` comments)."""
    variables = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            name, value = line.split("=", 1)
            variables[name.strip()] = value.strip().strip("\"'")
    return variables


def console_script(folder: Path) -> Path:
    """The ``territoires`` command as ``pip install`` writes it, for this checkout."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module, function = pyproject["project"]["scripts"]["territoires"].split(":")
    script = folder / "territoires"
    script.write_text(
        CONSOLE_SCRIPT.format(
            python=sys.executable, checkout=str(ROOT), module=module, function=function
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.fixture(scope="module")
def unit() -> dict[str, dict[str, list[str]]]:
    return unit_settings(readme_block("ini"))


def one(unit, section: str, key: str) -> str:
    (value,) = unit[section][key]
    return value


def test_systemd_analyze_verifies_the_readme_unit(ci, tmp_path):
    analyze = required_program("systemd-analyze", ci, package="systemd")
    text = replaced(readme_block("ini"), {EXECUTABLE: str(console_script(tmp_path))})
    (tmp_path / "territoires@.service").write_text(text, encoding="utf-8")
    instance = tmp_path / f"territoires@{INSTANCES[0]}.service"
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(instance)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_unit_restarts_one_port_per_instance_under_its_own_account(unit):
    service = unit["Service"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    account = re.search(r"useradd --system --home-dir (\S+) --create-home (\S+)", readme)
    assert account is not None
    assert one(unit, "Service", "User") == account.group(2) != "root"
    assert one(unit, "Service", "WorkingDirectory") == account.group(1) == HOME
    assert one(unit, "Service", "Restart") in ("on-failure", "always")
    assert service["ReadWritePaths"] == [HOME]  # ProtectSystem=strict: all else read-only
    assert one(unit, "Service", "EnvironmentFile") == SETTINGS_FILE
    assert shlex.split(one(unit, "Service", "ExecStart")) == [
        EXECUTABLE, "serve", "--address", "127.0.0.1", "--port", "%i"
    ]  # fmt: skip
    assert one(unit, "Install", "WantedBy") == "multi-user.target"
    started = " ".join(f"territoires@{port}" for port in INSTANCES)
    assert f"systemctl enable --now {started}" in readme
    for port in INSTANCES:  # the ports the proxies of the README send to
        assert f"127.0.0.1:{port}" in readme_block("nginx")
        assert f"127.0.0.1:{port}" in readme_block("caddy")


def test_the_settings_file_names_the_shared_database_and_a_writable_data_folder():
    settings = environment_file(readme_block("dotenv"))
    assert settings["TERRITOIRES_DATABASE_URL"].startswith("postgresql://")
    assert settings["TERRITOIRES_DATA_DIR"].startswith(f"{HOME}/")
    assert settings.get("TERRITOIRES_GEODATA_DIR", f"{HOME}/").startswith(f"{HOME}/")
    assert settings["TERRITOIRES_DEMO"] == "0"


def test_the_geodata_build_reads_the_settings_file_as_systemd_does(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"sudo -u territoires sh -c '(.*geodata build)'", readme)
    assert found is not None, "le README doit construire le référentiel avec ces réglages"
    (tmp_path / "territoires.env").write_text(readme_block("dotenv"), encoding="utf-8")
    script = replaced(found.group(1), {f"{EXECUTABLE} geodata build": "env", HOME: str(tmp_path)})
    done = subprocess.run(
        ["sh", "-c", script], env={"PATH": SYSTEMD_PATH}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    settings = environment_file(readme_block("dotenv"))
    assert {name: seen.get(name) for name in settings} == settings


def run_as_systemd(unit, tmp_path: Path, database_url: str) -> tuple[list[str], dict, Path]:
    """The instance's command, environment and working folder, on a free port and on
    ``database_url``, with ``/srv/territoires`` in ``tmp_path``."""
    home = tmp_path / "srv"
    home.mkdir()
    port = str(free_port())
    command = shlex.split(one(unit, "Service", "ExecStart").replace("%i", port))
    assert command[0] == EXECUTABLE and "%" not in " ".join(command)
    command[0] = str(console_script(tmp_path))
    settings = environment_file(readme_block("dotenv"))
    settings["TERRITOIRES_DATABASE_URL"] = database_url
    settings = {name: value.replace(HOME, str(home)) for name, value in settings.items()}
    env = {"PATH": SYSTEMD_PATH, "HOME": str(home), "LANG": "C.UTF-8", **settings}
    cwd = Path(one(unit, "Service", "WorkingDirectory").replace(HOME, str(home)))
    return command, env, cwd


@pytest.mark.postgres
def test_the_unit_command_serves_the_app(unit, tmp_path, postgres_url):
    command, env, cwd = run_as_systemd(unit, tmp_path, postgres_url)
    port = int(command[command.index("--port") + 1])
    with running_server(command, port=port, cwd=cwd, env=env, log_path=tmp_path / "journal"):
        pass  # healthy: /_stcore/health answered 200
    journal = (tmp_path / "journal").read_text(encoding="utf-8")
    assert f"base de données : {postgres_url}\n" in journal
    assert f"dossier des données : {env['TERRITOIRES_DATA_DIR']}\n" in journal


def test_the_unit_command_fails_with_status_2_on_a_database_out_of_reach(unit, tmp_path):
    closed = f"postgresql://territoires@127.0.0.1:{free_port()}/territoires"
    command, env, cwd = run_as_systemd(unit, tmp_path, closed)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Erreur : Base PostgreSQL inaccessible")
