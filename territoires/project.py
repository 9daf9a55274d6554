"""Where the files the project ships live: in the checkout, or inside the installed package.

The repository keeps its layout (``app.py``, ``app_pages/``, ``.streamlit/config.toml``,
``geodata/`` tables and sources, ``config/``, ``docs/methodologie.md``). Building the package
(``pip install .``, ``pip wheel .``) copies those files, with the same relative paths, into
``territoires/_project/`` (``pyproject.toml``: ``package-dir`` and ``package-data``). That folder
exists only in an installed package, so its presence says which of the two this is:

- **installed**: every shipped file is read from ``territoires/_project/``, never from the
  working directory or a checkout;
- **checkout** (``make run``, ``make test``): from the repository's own folders.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent
BUNDLED_DIR = PACKAGE_DIR / "_project"
INSTALLED = BUNDLED_DIR.is_dir()
PROJECT_DIR = BUNDLED_DIR if INSTALLED else CHECKOUT_DIR


def project_file(*parts: str) -> Path:
    """A shipped file by its path in the repository, e.g. ``project_file("config",
    "referentiels.toml")``: the installed copy when installed, the checkout's otherwise."""
    return PROJECT_DIR.joinpath(*parts)
