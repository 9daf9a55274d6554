"""Sub-command ``check-serve``: refuse, before the server starts, to serve without sign-in on
an address reachable from the network (``serve``, which ``make run`` runs, checks the same).

    python -m territoires check-serve --address 0.0.0.0
"""

from __future__ import annotations

import argparse
import sys

from territoires.access import auth_in_files, exposure_problem, secrets_files
from territoires.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-serve",
        help="vérifier qu'on peut servir l'application sur cette adresse",
        description=(
            "Refuse (code 2, raison en français) de servir l'application sans connexion [auth] "
            "sur une adresse réseau, sauf TERRITOIRES_ACCES_PUBLIC=1 (lecture seule pour tous)."
        ),
    )
    parser.add_argument(
        "--address", default="127.0.0.1", metavar="ADRESSE", help="adresse d'écoute prévue"
    )
    parser.set_defaults(func=_check_serve)


def serve_problem(address: str) -> str | None:
    """The French reason to refuse serving on ``address``, or None: ``exposure_problem`` with
    the secrets Streamlit reads from here (the user's, the working directory's) and the
    settings. ``check-serve`` and ``serve`` both run it before the server starts."""
    return exposure_problem(
        address,
        auth=auth_in_files(secrets_files()),
        public_read=get_settings().public_read,
    )


def _check_serve(args: argparse.Namespace) -> int:
    problem = serve_problem(args.address)
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return 2
    return 0
