"""The installed package, as an IT person installs it: a fresh virtual environment, ``pip
wheel .`` and that wheel installed (from a copy of the source, with none of the checkout's data
or caches), then the ``territoires`` command from an unrelated folder, for a user whose home
holds nothing yet: ``geodata build`` (the real command, on the three départements of
Centre-Bretagne to stay quick), ``import``, ``serve`` refused on the network without sign-in,
then ``serve``: its health endpoint, and pages in a real Chromium that show the imported
initiatives, the shipped documentation and the project's Streamlit configuration.

It needs the package registries (``pip install``), as ``make test`` does; it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from e2e_harness import ARTIFACTS, ROOT, free_port, running_server, wait_until_idle

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
UPLOAD_HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
# Never copied into the source the package is built from: what .gitignore leaves out.
LEFT_OUT = {".git", ".venv", "data", "geodata/cache", "test-artifacts", "bench/results"}
LEFT_OUT_NAMES = ("__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist", "*.egg-info")
INITIATIVES = "titre;commune;annee\nAtelier partagé;Rostrenen;2024\nFête du pain;Guingamp;2023\n"


def _copy_source(target: Path) -> Path:
    """The repository's sources, without its data, caches and virtual environment."""
    by_name = shutil.ignore_patterns(*LEFT_OUT_NAMES)

    def ignore(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).relative_to(ROOT)
        left = {n for n in names if (relative / n).as_posix() in LEFT_OUT}
        return left | set(by_name(folder, names))

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without the checkout's settings, virtual environment or Python path."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TERRITOIRES_")
        and name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "XDG_DATA_HOME")
    }
    env.update(extra)
    return env


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip wheel .`` then ``pip install`` of that wheel (what ``pip install .`` does in
    one step) in a fresh virtual environment; its ``bin`` folder."""
    base = tmp_path_factory.mktemp("paquet")
    source = _copy_source(base / "source")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    built = _run([*pip, "wheel", "--no-deps", "-w", "roues", "."], cwd=source, env=_clean_env())
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = (source / "roues").glob("territoires_engagement-*.whl")
    done = _run([*pip, "install", str(wheel)], cwd=base, env=_clean_env(), timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shutil.rmtree(source)  # nothing may be read from it any more
    return venv / "bin"


def test_the_installed_package_builds_imports_and_serves_from_any_folder(
    installed, tmp_path, browser
):
    from playwright.sync_api import expect

    home, elsewhere = tmp_path / "camille", tmp_path / "ailleurs"
    elsewhere.mkdir(parents=True)
    env = _clean_env(HOME=str(home))
    territoires = str(installed / "territoires")

    help_text = _run([territoires, "--help"], cwd=elsewhere, env=env)
    assert help_text.stdout.startswith("utilisation : territoires ") and "serve" in help_text.stdout

    build = _run(
        [territoires, "geodata", "build", "--departements", "22", "29", "56"],
        cwd=elsewhere,
        env=env,
    )
    assert build.returncode == 0, build.stderr
    data = home / ".local" / "share" / "territoires"  # the user's data folder
    assert (data / "geodata" / "manifest.json").is_file()

    (elsewhere / "initiatives.csv").write_text(INITIATIVES, encoding="utf-8")
    imported = _run([territoires, "import", "initiatives.csv"], cwd=elsewhere, env=env)
    assert imported.returncode == 0, imported.stderr
    assert (data / "territoires.db").is_file()

    refused = _run([territoires, "serve", "--address", "0.0.0.0"], cwd=elsewhere, env=env)
    assert refused.returncode == 2 and "refuse de démarrer" in refused.stderr

    port = free_port()
    with running_server(
        [territoires, "serve", "--port", str(port)],
        port=port,
        cwd=elsewhere,
        env=env,
        log_path=tmp_path / "serve.log",
    ) as url:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read() == b"ok"
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/initiatives", wait_until="domcontentloaded")
        expect(page.locator(SIDEBAR)).to_contain_text("2 initiatives sur 2", timeout=120_000)
        wait_until_idle(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-paquet-installe.png"))
        page.goto(f"{url}/methodologie", wait_until="domcontentloaded")  # docs/methodologie.md
        expect(page.get_by_role("heading", name="Placement des initiatives")).to_be_visible(
            timeout=60_000
        )
        page.goto(f"{url}/importer", wait_until="domcontentloaded")
        # the project's .streamlit/config.toml (maxUploadSize = 25; Streamlit's default is 200)
        expect(page.locator(UPLOAD_HINT).first).to_contain_text("25MB", timeout=60_000)
        context.close()

    site_packages = next((installed.parent / "lib").glob("python*/site-packages"))
    written = [
        p for p in (site_packages / "territoires").rglob("*") if "__pycache__" not in p.parts
    ]
    assert not [p for p in written if p.suffix in (".db", ".parquet")]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["initiatives.csv"]
