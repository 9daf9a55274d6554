"""The package carries every file the app reads at run time (``pyproject.toml``), and reads
them from the checkout here (``territoires.project``); the installed-package test reads them
from an installed copy."""

from __future__ import annotations

import fnmatch
import tomllib

import pytest

from territoires.project import CHECKOUT_DIR, INSTALLED, PROJECT_DIR, project_file

PYPROJECT = tomllib.loads((CHECKOUT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _read_at_run_time() -> list:
    """Every shipped file the code reads, by the constants that name it."""
    from territoires.analysis import indicators
    from territoires.docs import DOCS_DIR
    from territoires.geo import history, sources, territories
    from territoires.store import REFERENTIELS_PATH
    from territoires.ui.navigation import PAGE_SPECS

    return [
        project_file("app.py"),
        project_file(".streamlit", "config.toml"),
        *(project_file(spec.script) for spec in PAGE_SPECS),
        sources.POPULATION_FILE,
        sources.ZONINGS_FILE,
        sources.BRETAGNE_GRID_FILE,
        sources.SOURCES_FILE,
        territories.SHIPPED_FILE,
        history.MERGES_FILE,
        history.RESTORED_FILE,
        indicators.FRR_FILE,
        indicators.ZONAGES_FILE,
        indicators.EVOLUTION_FILE,
        REFERENTIELS_PATH,
        DOCS_DIR / "methodologie.md",
    ]


def test_here_the_files_are_the_checkouts():
    assert not INSTALLED and PROJECT_DIR == CHECKOUT_DIR
    assert not (CHECKOUT_DIR / "territoires" / "_project").exists()


@pytest.mark.parametrize("path", _read_at_run_time(), ids=lambda p: str(p.name))
def test_every_file_read_at_run_time_is_packaged(path):
    assert path.is_file(), path
    relative = path.relative_to(PROJECT_DIR).as_posix()
    patterns = SETUPTOOLS["package-data"]["territoires._project"]
    is_module = "/" not in relative and relative.endswith(".py")  # the root's modules: app.py
    assert is_module or any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_every_package_of_the_source_is_built():
    on_disk = {
        ".".join(init.parent.relative_to(CHECKOUT_DIR).parts)
        for init in (CHECKOUT_DIR / "territoires").rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == on_disk | {"territoires._project"}
    assert SETUPTOOLS["package-dir"] == {"territoires._project": "."}


def test_every_package_data_pattern_matches_files():
    for package, patterns in SETUPTOOLS["package-data"].items():
        folder = CHECKOUT_DIR / SETUPTOOLS["package-dir"].get(package, package.replace(".", "/"))
        for pattern in patterns:
            assert list(folder.glob(pattern)), f"{package}: {pattern}"


def test_the_dependencies_are_the_pinned_requirements():
    dynamic = SETUPTOOLS["dynamic"]["dependencies"]["file"]
    assert dynamic == ["requirements-core.txt", "requirements-data.txt"]
    for name in dynamic:
        lines = (CHECKOUT_DIR / name).read_text(encoding="utf-8").splitlines()
        pins = [line for line in lines if line.strip() and not line.startswith("#")]
        assert pins and all("==" in line for line in pins), name
