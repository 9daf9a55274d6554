"""Sub-command ``serve``: start the app, from any folder, with the project's configuration.

    territoires serve [--address 127.0.0.1] [--port 8501] [-- OPTION_STREAMLIT …]

``make run`` runs it too, so that both start the same way. Before the server starts, it runs
the start-up checks: the settings are read (a wrong value stops here, in French); the address
is refused without sign-in on the network (``check-serve``); the database is opened (created or
upgraded, under a lock: several processes may start at once). Then the process becomes
``streamlit run`` on the shipped ``app.py``. Streamlit reads the project's
``.streamlit/config.toml`` next to that script (its script-level configuration, above the
working directory's); sign-in (``[auth]``) stays in the working directory's, or the user's,
``.streamlit/secrets.toml``. Options after ``--`` go to Streamlit as they are.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from territoires.access_cli import serve_problem
from territoires.errors import SettingsError
from territoires.project import project_file
from territoires.settings import Settings, get_settings

DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501
# Given by `--address` and `--port`, which the checks see: never among the options passed on.
RESERVED_OPTIONS = ("--server.address", "--server.port")
CACHE_MISSING = (
    "absent : l'application le construira à la première visite, en 1 à 3 minutes ; avec "
    "plusieurs processus, lancez d'abord `territoires geodata build`"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="lancer l'application (serveur Streamlit)",
        description=(
            "Lance l'application avec la configuration du projet, depuis n'importe quel dossier, "
            "après les vérifications de démarrage : réglages, adresse réseau sans connexion "
            "[auth] refusée (voir check-serve), base de données ouverte et à jour. Les options "
            "placées après -- vont telles quelles à Streamlit (par exemple "
            "-- --server.baseUrlPath territoires)."
        ),
    )
    parser.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        metavar="ADRESSE",
        help=f"adresse d'écoute (défaut : {DEFAULT_ADDRESS}, cet ordinateur seul)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, metavar="PORT", help="port (défaut : 8501)"
    )
    parser.add_argument(
        "streamlit_options",
        nargs=argparse.REMAINDER,
        metavar="-- OPTION_STREAMLIT",
        help="options de Streamlit, après --",
    )
    parser.set_defaults(func=_serve)


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"« {value} » n'est pas un port (1 à 65535)")
    return int(value)


def streamlit_command(address: str, port: int, options: Sequence[str] = ()) -> list[str]:
    """The command that runs the shipped app: this interpreter's Streamlit, on ``address``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(project_file("app.py")),
        "--server.address",
        address,
        "--server.port",
        str(port),
        *options,
    ]


def passed_options(options: Sequence[str]) -> list[str]:
    """The options for Streamlit (after ``--``).

    Raises
    ------
    SettingsError
        For ``--server.address`` or ``--server.port``: ``--address`` and ``--port`` give them,
        so that the address is checked.
    """
    options = list(options[1:] if options[:1] == ["--"] else options)
    for option in options:
        if option.split("=", 1)[0] in RESERVED_OPTIONS:
            raise SettingsError(
                f"« {option} » : l'adresse et le port se donnent par `--address` et `--port` "
                "de `territoires serve`, qui vérifie l'adresse avant de démarrer."
            )
    return options


def shown_url(url: str) -> str:
    """A database address without its password, for the start-up summary."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def _summary(settings: Settings, address: str, port: int, *, cache_ready: bool) -> str:
    cache = "" if cache_ready else f" ({CACHE_MISSING})"
    return (
        f"Territoires d'engagement : http://{address}:{port}\n"
        f"  base de données : {shown_url(settings.database_url)}\n"
        f"  dossier des données : {settings.data_dir}\n"
        f"  cache géographique : {settings.geodata_dir}{cache}"
    )


def _serve(args: argparse.Namespace) -> int:
    from territoires.store import open_store

    options = passed_options(args.streamlit_options)
    problem = serve_problem(args.address)
    if problem:
        print(f"Erreur : {problem}", file=sys.stderr)
        return 2
    settings = get_settings()
    open_store(settings.database_url).close()  # reachable, created or upgraded (under a lock)
    from territoires.geo.cache import cache_is_complete

    ready = cache_is_complete(settings.geodata_dir)
    print(_summary(settings, args.address, args.port, cache_ready=ready), flush=True)
    command = streamlit_command(args.address, args.port, options)
    os.execv(command[0], command)  # the server keeps this process (systemd, signals)
    return 0  # not reached
