"""Sub-commands of ``python -m territoires`` that manage the shared store.

``users add|list|remove``, ``history``, ``imports``, ``undo-import``, ``backup``, ``restore``.
The command line acts as an admin (``cli_actor``): whoever runs it holds the database's
credentials anyway; ``--user`` names who is written in the history (default: the OS user
name). Scripts depend on these interfaces (issue 19): change them only by adding.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoires.store.history import IMPORT_COLUMNS
from territoires.store.users import ROLES

if TYPE_CHECKING:
    import pandas as pd

_DB_HELP = "adresse de la base (défaut : TERRITOIRES_DATABASE_URL)"
_USER_HELP = "qui agit, écrit dans l'historique (défaut : le nom d'utilisateur du système)"


HISTORY_CSV_COLUMNS: tuple[str, ...] = (
    "date",
    "utilisateur",
    "action",
    "reference",
    "champ",
    "avant",
    "apres",
    "lot",
)
# The journal's columns up to ``annule`` (when and by whom stay in the app and the history).
IMPORTS_CSV_COLUMNS: tuple[str, ...] = IMPORT_COLUMNS[: IMPORT_COLUMNS.index("annule") + 1]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``users``, ``history``, ``imports``, ``undo-import``, ``backup`` and
    ``restore`` sub-commands."""
    _register_users(subparsers)
    _register_history(subparsers)
    _register_backup(subparsers)


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


def _register_history(subparsers: argparse._SubParsersAction) -> None:
    parser = _command(
        subparsers,
        "history",
        run_history,
        "Écrire l'historique des changements en CSV : une ligne par champ modifié, dans "
        "l'ordre où les changements ont été faits (colonnes date, utilisateur, action, "
        "reference, champ, avant, apres, lot ; montants en nombres simples).",
        writes=False,
    )
    parser.add_argument("--output", type=Path, required=True, help="fichier CSV à écrire")
    parser.add_argument("--reference", metavar="REF", help="seulement cette initiative")
    parser.add_argument("--lot", type=int, metavar="LOT", help="seulement ce lot d'import")
    parser = _command(
        subparsers,
        "imports",
        run_imports,
        "Lister les imports (lots) : qui, quand, quel fichier, combien de lignes, annulé ou non.",
        writes=False,
    )
    parser.add_argument("--output", type=Path, help="fichier CSV à écrire (défaut : affichage)")
    parser = _command(
        subparsers,
        "undo-import",
        run_undo_import,
        "Annuler un import entier : les initiatives qu'il a créées sont retirées, celles qu'il "
        "a modifiées retrouvent leurs valeurs, les initiatives de démonstration qu'il a "
        "remplacées reviennent. Si une initiative a été modifiée depuis, rien n'est annulé "
        "sans --force. Statut de sortie : 0 si l'import est annulé, 2 sinon.",
        writes=True,
    )
    parser.add_argument("lot", type=int, metavar="LOT", help="numéro du lot (voir « imports »)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="annuler même si des initiatives ont été modifiées depuis (leurs modifications "
        "sont écrasées)",
    )


def _register_backup(subparsers: argparse._SubParsersAction) -> None:
    parser = _command(
        subparsers,
        "backup",
        run_backup,
        "Sauvegarder toute la base (initiatives, historique, imports, utilisateurs, "
        "référentiels) dans un seul fichier portable, restaurable sous SQLite ou PostgreSQL.",
        writes=False,
    )
    parser.add_argument("--output", type=Path, required=True, help="fichier à écrire")
    parser = _command(
        subparsers,
        "restore",
        run_restore,
        "Restaurer une sauvegarde dans une base. Une base qui contient déjà des initiatives, "
        "un historique ou des utilisateurs n'est remplacée qu'avec --force.",
        writes=True,
    )
    parser.add_argument("file", type=Path, help="fichier de sauvegarde")
    parser.add_argument(
        "--force", action="store_true", help="remplacer le contenu d'une base qui n'est pas vide"
    )


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


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The history as the CSV's columns, oldest first: values as plain text, numbers without
    thousands separators (« 12000 », « 4200.5 »), lists joined by « ; »."""
    import pandas as pd

    from territoires.store.records import value_text

    ordered = frame.sort_values("id", kind="stable")  # a creation's fields stay in order
    table = pd.DataFrame(
        {
            "date": ordered["date"].tolist(),
            "utilisateur": ordered["utilisateur"].tolist(),
            "action": ordered["action"].tolist(),
            "reference": ordered["reference"].tolist(),
            "champ": ordered["champ"].tolist(),
            "avant": [value_text(v) for v in ordered["avant"]],
            "apres": [value_text(v) for v in ordered["apres"]],
            "lot": pd.array(ordered["lot"].tolist(), dtype="Int64"),
        },
        columns=list(HISTORY_CSV_COLUMNS),
    )
    return table.reset_index(drop=True)


def run_history(args: argparse.Namespace) -> int:
    from territoires.exports import to_csv_bytes, write_file

    with _opened(args) as store:
        frame = store.history(reference=args.reference, lot=args.lot)
    write_file(args.output, to_csv_bytes(history_table(frame)), "l'historique")
    print(f"{len(frame)} lignes d'historique écrites dans {args.output}.")
    return 0


def imports_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The import journal as the CSV's columns; ``annule`` is « oui » or « non »."""
    table = frame[list(IMPORTS_CSV_COLUMNS)].copy()
    table["annule"] = ["oui" if v else "non" for v in table["annule"]]
    return table


def run_imports(args: argparse.Namespace) -> int:
    from territoires.exports import to_csv_bytes, write_file

    with _opened(args) as store:
        table = imports_table(store.imports())
    if args.output is not None:
        write_file(args.output, to_csv_bytes(table), "le journal des imports")
        print(f"{len(table)} imports écrits dans {args.output}.")
    elif table.empty:
        print("Aucun import.")
    else:
        print(table.fillna("").to_string(index=False))
    return 0


def run_undo_import(args: argparse.Namespace) -> int:
    from territoires.formatting import fr_count

    with _opened(args) as store:
        result = store.undo_import(args.lot, actor=_actor(args), force=args.force)
    parts = [
        fr_count(result.supprimees, "initiative retirée", "initiatives retirées"),
        fr_count(result.retablies, "initiative rétablie", "initiatives rétablies"),
    ]
    if result.fictives_restaurees:
        parts.append(
            fr_count(
                result.fictives_restaurees,
                "initiative de démonstration revenue",
                "initiatives de démonstration revenues",
            )
        )
    print(f"Lot {result.lot} annulé : {', '.join(parts)}.")
    if result.financeurs_supprimes:
        print(
            f"Financeurs retirés (créés par cet import) : {', '.join(result.financeurs_supprimes)}."
        )
    for conflict in result.forcees:
        who = conflict.reference or f"« {conflict.titre} »"
        print(f"Modification écrasée : {who} ({conflict.raison}).")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        path = store.backup(args.output)
        initiatives, users = store.count(), len(store.users())
    print(
        f"Sauvegarde écrite dans {path} ({initiatives} initiatives, {users} utilisateurs, "
        "historique et journal des imports compris)."
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from territoires.store.facade import restore_backup

    counts = restore_backup(args.file, args.db, actor=_actor(args), force=args.force)
    print(
        f"Base restaurée depuis {args.file} : {counts.get('initiatives', 0)} initiatives, "
        f"{counts.get('history', 0)} lignes d'historique, {counts.get('users', 0)} utilisateurs."
    )
    return 0
