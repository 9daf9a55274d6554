"""``territoires serve``: the start-up checks run before the server, then the process becomes
``streamlit run`` on the shipped app (the installed-package test starts it for real)."""

from __future__ import annotations

import sys

import pytest

from territoires.cli import main
from territoires.errors import SettingsError
from territoires.project import project_file
from territoires.serve import passed_options, shown_url, streamlit_command


@pytest.fixture
def no_exec(monkeypatch, tmp_path):
    """Record the command ``serve`` would become instead of replacing the test's process; run
    from a folder with no secrets, with a fresh data folder and SQLite database."""
    calls: list[list[str]] = []
    monkeypatch.setattr("territoires.serve.os.execv", lambda path, argv: calls.append(argv))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path / "donnees"))
    monkeypatch.setenv("TERRITOIRES_GEODATA_DIR", str(tmp_path / "geodata"))
    for name in ("TERRITOIRES_DATABASE_URL", "TERRITOIRES_ACCES_PUBLIC"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_serve_checks_then_becomes_streamlit_on_the_shipped_app(no_exec, tmp_path, capsys):
    assert main(["serve", "--port", "8600", "--", "--server.baseUrlPath", "carte"]) == 0
    assert no_exec == [
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(project_file("app.py")),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            "8600",
            "--server.baseUrlPath",
            "carte",
        ]
    ]
    assert (tmp_path / "donnees" / "territoires.db").is_file()  # the store was opened
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8600" in out and str(tmp_path / "donnees") in out
    assert "lancez d'abord `territoires geodata build`" in out  # no cache in this data folder


def test_serve_refuses_a_network_address_without_sign_in(no_exec, capsys):
    assert main(["serve", "--address", "0.0.0.0"]) == 2
    assert "refuse de démarrer" in capsys.readouterr().err
    assert no_exec == []


def test_serve_stops_on_a_wrong_setting_before_starting(no_exec, monkeypatch, capsys):
    monkeypatch.setenv("TERRITOIRES_VEILLE_SECONDES", "10")
    assert main(["serve"]) == 2
    assert "TERRITOIRES_VEILLE_SECONDES" in capsys.readouterr().err
    assert no_exec == []


def test_serve_stops_when_the_database_cannot_be_opened(no_exec, monkeypatch, capsys):
    monkeypatch.setenv("TERRITOIRES_DATABASE_URL", "postgresql://territoires@127.0.0.1:1/base")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.startswith("Erreur : Base PostgreSQL inaccessible")
    assert no_exec == []


@pytest.mark.parametrize("option", ["--server.address", "--server.port=80"])
def test_the_address_and_port_are_not_passed_around_the_check(option):
    with pytest.raises(SettingsError, match="--address"):
        passed_options(["--", option, "0.0.0.0"])


def test_options_after_the_separator_go_to_streamlit_as_they_are():
    assert passed_options(["--", "--server.baseUrlPath", "x"]) == ["--server.baseUrlPath", "x"]
    assert passed_options([]) == []
    assert streamlit_command("127.0.0.1", 8501)[-4:] == [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "8501",
    ]


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_wrong_port_is_refused_in_french(port, capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--port", port])
    assert "n'est pas un port" in capsys.readouterr().err


def test_the_summary_hides_a_database_password():
    assert shown_url("postgresql://u:secret@db:5432/t") == "postgresql://u:***@db:5432/t"
    assert shown_url("postgresql://u@db/t") == "postgresql://u@db/t"
    assert shown_url("sqlite:////srv/t.db") == "sqlite:////srv/t.db"


def test_the_console_script_names_itself_territoires(capsys):
    from territoires.cli import console

    monkey_argv = ["territoires", "serve", "--help"]
    saved, sys.argv = sys.argv, monkey_argv
    try:
        with pytest.raises(SystemExit) as stop:
            console()
    finally:
        sys.argv = saved
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("utilisation : territoires serve ")
