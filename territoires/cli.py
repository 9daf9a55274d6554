"""Command-line entry point: ``python -m territoires``, or ``territoires`` once installed.

Each domain module that offers commands exposes ``register(subparsers)``; this module only
wires them together and turns ``TerritoiresError`` into a French message and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from territoires.errors import TerritoiresError

# Modules that contribute sub-commands, each with a ``register(subparsers)`` function.
COMMAND_MODULES: tuple[str, ...] = (
    "territoires.geo.cli",
    "territoires.importers.cli",
    "territoires.analysis.cli",
    "territoires.access_cli",
    "territoires.serve",
    "territoires.store.cli",
)


class _FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 (argparse's API)
        # argparse passes prefix="" to name sub-commands: keep it
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


# argparse's own messages (Python's, in English), as French; anything else is left as is.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^the following arguments are required: (.*)$", r"arguments obligatoires manquants : \1"),
        (r"^unrecognized arguments: (.*)$", r"arguments non reconnus : \1"),
        (
            r"^argument (.+?): invalid choice: (.*) \(choose from (.*)\)$",
            r"argument \1 : choix invalide : \2 (choix possibles : \3)",
        ),
        (r"^argument (.+?): expected one argument$", r"argument \1 : une valeur est attendue"),
        (r"^argument (.+?): invalid \w+ value: (.*)$", r"argument \1 : valeur invalide : \2"),
        (
            r"^argument (.+?): not allowed with argument (.*)$",
            r"argument \1 : incompatible avec \2",
        ),
    )
)


def french_error(message: str) -> str:
    """An argparse error message in French (known messages), else unchanged."""
    for pattern, french in _ERRORS:
        if pattern.match(message):
            return pattern.sub(french, message)
    return message


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with its headings, help option and error messages in French; sub-command
    parsers are of the same class."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 (argparse's API)
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="afficher cette aide et quitter",
        )

    # Placeholders of the values in the help, in French (argparse would write the option's name).
    METAVARS = {
        "db": "URL",
        "email": "EMAIL",
        "file": "FICHIER",
        "k": "N",
        "millesime": "ANNEE",
        "output": "FICHIER",
        "radius_km": "KM",
        "rejects": "FICHIER",
        "scope": "PERIMETRE",
        "sheet": "FEUILLE",
        "territory": "TERRITOIRE",
    }

    def add_argument(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 (argparse's API)
        action = super().add_argument(*args, **kwargs)
        if action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = self.METAVARS.get(action.dest)
        return action

    def error(self, message: str):  # noqa: ANN201 (never returns)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_error(message)}\n")


def build_parser(prog: str = "python -m territoires") -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog=prog,
        description="Territoires d'engagement : référentiel géographique, imports, analyses.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None, *, prog: str = "python -m territoires") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TerritoiresError as exc:
        print(f"Erreur : {exc.user_message}", file=sys.stderr)
        return 2


def console() -> int:
    """The ``territoires`` command of the installed package (``[project.scripts]``)."""
    return main(prog="territoires")
