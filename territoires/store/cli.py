"""Sub-commands of ``python -m territoires`` that manage the shared store.

``users add|list|remove``. The command line acts as an admin (``cli_actor``): whoever runs it
holds the database's credentials anyway; ``--user`` names who is written in the history
(default: the OS user name).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from territoires.store.users import ROLES

_DB_HELP = "adresse de la base (défaut : TERRITOIRES_DATABASE_URL)"
_USER_HELP = "qui agit, écrit dans l'historique (défaut : le nom d'utilisateur du système)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``users`` sub-command."""
    _register_users(subparsers)


def _command(
    subparsers: argparse._SubParsersAction,
    name: str,
    func: Callable[[argparse.Namespace], int],
    help_text: str,
    *,
    writes: bool,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--db", help=_DB_HELP)
    if writes:
        parser.add_argument("--user", metavar="EMAIL", help=_USER_HELP)
    parser.set_defaults(func=func)
    return parser


def _register_users(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "users",
        help="Gérer les utilisateurs et leurs rôles (lecteur, editeur, admin).",
        description=(
            "Rôles : « lecteur » consulte et exporte ; « editeur » importe, crée, modifie, "
            "supprime et annule ses propres imports ; « admin » gère aussi les utilisateurs, "
            "fusionne financeurs et thèmes, annule tout import et restaure."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = _command(
        actions, "add", run_users_add, "Donner un rôle à une adresse e-mail.", writes=True
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=ROLES, required=True, help="rôle donné")
    _command(
        actions, "list", run_users_list, "Lister les utilisateurs et leurs rôles.", writes=False
    )
    remove = _command(actions, "remove", run_users_remove, "Retirer un utilisateur.", writes=True)
    remove.add_argument("email", metavar="EMAIL")


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Any]:
    from territoires.store.facade import open_store

    store = open_store(args.db)
    try:
        yield store
    finally:
        store.close()


def _actor(args: argparse.Namespace) -> Any:
    from territoires.store.users import cli_actor

    return cli_actor(getattr(args, "user", None))


def run_users_add(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        store.set_user(args.email, args.role, actor=_actor(args))
        role = store.role_of(args.email)
    print(f"{args.email.strip().lower()} : rôle « {role} ».")
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        frame = store.users()
    if frame.empty:
        print("Aucun utilisateur enregistré.")
        return 0
    print(frame.fillna("").to_string(index=False))
    return 0


def run_users_remove(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        removed = store.remove_user(args.email, actor=_actor(args))
    address = args.email.strip().lower()
    print(f"{address} retiré." if removed else f"{address} n'avait aucun rôle : rien à retirer.")
    return 0 if removed else 1
