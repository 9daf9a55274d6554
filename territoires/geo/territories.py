"""Named territories: groupings of régions, départements, EPCI, communes and other territories.

The shipped definitions live in ``geodata/territoires.toml`` (human-editable); territories
added from the app or with :func:`add_territory` are written to the user's file
``<data_dir>/territoires_utilisateur.toml`` and loaded with the shipped ones.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from territoires.errors import TerritoryDefinitionError, UnknownCodeError
from territoires.geo.reference import NamedTerritory
from territoires.geo.sources import GEODATA_SOURCE_DIR
from territoires.settings import get_settings

if TYPE_CHECKING:
    from territoires.geo.reference import GeoReference

SHIPPED_FILE = GEODATA_SOURCE_DIR / "territoires.toml"
USER_FILE_NAME = "territoires_utilisateur.toml"
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The TOML keys of codes: the French name of each code and the communes' column it matches.
_CODE_LISTS = {
    "regions": ("région", "region_code"),
    "departements": ("département", "departement_code"),
    "epci": ("EPCI", "epci_code"),
    "communes": ("commune", "code_insee"),
}
_LISTS = (*_CODE_LISTS, "includes")


def user_territories_file() -> Path:
    """The user's territories file, under the data folder."""
    return get_settings().data_dir / USER_FILE_NAME


def resolve_territory(reference: GeoReference, territory_id: str) -> tuple[str, ...]:
    """Return the sorted INSEE codes of a named territory's communes."""
    return tuple(sorted(_resolve(reference.territories, reference, territory_id, ())))


def _resolve(
    territories: Mapping[str, NamedTerritory],
    reference: GeoReference,
    territory_id: str,
    path: tuple[str, ...],
) -> set[str]:
    territory = territories.get(territory_id)
    if territory is None:
        raise UnknownCodeError(f"Territoire nommé inconnu : « {territory_id} ».")
    if territory_id in path:
        cycle = " → ".join((*path, territory_id))
        raise TerritoryDefinitionError(f"Définition circulaire de territoires : {cycle}.")
    communes = reference.communes
    codes: set[str] = set()
    for key, (_kind, column) in _CODE_LISTS.items():
        wanted = getattr(territory, key)
        if wanted:
            codes |= set(communes.loc[communes[column].isin(wanted), "code_insee"])
    for other in territory.includes:
        codes |= _resolve(territories, reference, other, (*path, territory_id))
    return codes


# --- reading ---------------------------------------------------------------------------------


def parse_territories(text: str, source: str = "territoires.toml") -> dict[str, NamedTerritory]:
    """Parse a territories TOML document into ``NamedTerritory`` objects.

    Raises
    ------
    TerritoryDefinitionError
        When the document is not valid TOML or a definition is malformed.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TerritoryDefinitionError(f"Fichier {source} illisible : {exc}.") from exc
    entries = document.get("territoires", {})
    if not isinstance(entries, dict):
        raise TerritoryDefinitionError(f"Fichier {source} : table [territoires] attendue.")
    return {key: _territory(key, value, source) for key, value in entries.items()}


def _territory(key: str, value: object, source: str) -> NamedTerritory:
    if not isinstance(value, dict):
        raise TerritoryDefinitionError(f"Fichier {source} : « {key} » n'est pas une table.")
    lists = {}
    for name in _LISTS:
        items = value.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise TerritoryDefinitionError(
                f"Fichier {source}, territoire « {key} » : « {name} » doit être une liste de "
                "codes entre guillemets."
            )
        lists[name] = tuple(items)
    if not any(lists.values()):
        raise TerritoryDefinitionError(
            f"Fichier {source}, territoire « {key} » : définition vide (ni région, ni "
            "département, ni EPCI, ni commune, ni territoire inclus)."
        )
    return NamedTerritory(
        id=key,
        label=str(value.get("label", key)),
        description=str(value.get("description", "")),
        status=str(value.get("status", "")),
        **lists,
    )


def read_territories_file(path: Path) -> dict[str, NamedTerritory]:
    """Read one territories file (an absent file holds no territory)."""
    if not path.is_file():
        return {}
    return parse_territories(path.read_text(encoding="utf-8"), source=path.name)


def check_territories(territories: Mapping[str, NamedTerritory], reference: GeoReference) -> None:
    """Raise ``TerritoryDefinitionError`` naming any unknown code or territory."""
    communes = reference.communes
    # A partial cache (built for some départements, in tests and development) lacks the other
    # régions and départements: there they are absent, not unknown.
    partial = bool(reference.manifest.get("partiel"))
    for territory in territories.values():
        for key, (kind, column) in _CODE_LISTS.items():
            if partial and key in ("regions", "departements"):
                continue
            codes = getattr(territory, key)
            known = set(communes.loc[communes[column].isin(codes), column])
            _check_codes(territory, kind, codes, known)
        _check_codes(territory, "territoire", territory.includes, set(territories))
    for territory_id in territories:
        _resolve(territories, reference, territory_id, ())


def _check_codes(
    territory: NamedTerritory, kind: str, codes: Iterable[str], known: set[str]
) -> None:
    unknown = [code for code in codes if code not in known]
    if unknown:
        listed = ", ".join(f"« {code} »" for code in unknown)
        raise TerritoryDefinitionError(
            f"Territoire « {territory.label} » : code {kind} inconnu {listed}."
        )


def load_territories(
    reference: GeoReference, paths: Iterable[Path] | None = None
) -> dict[str, NamedTerritory]:
    """Load the shipped and user territories, checked against the reference.

    A user territory with the id of a shipped one replaces it.
    """
    files = list(paths) if paths is not None else [SHIPPED_FILE, user_territories_file()]
    territories: dict[str, NamedTerritory] = {}
    for path in files:
        territories.update(read_territories_file(path))
    check_territories(territories, reference)
    if reference.manifest.get("partiel"):  # drop what the partial cache leaves empty
        included = {other for t in territories.values() for other in t.includes}
        territories = {
            key: territory
            for key, territory in territories.items()
            if key in included or _resolve(territories, reference, key, ())
        }
    return territories


# --- writing ---------------------------------------------------------------------------------


def add_territory(
    reference: GeoReference,
    territory: NamedTerritory,
    path: Path | None = None,
) -> NamedTerritory:
    """Check a new territory, persist it to the user's file and add it to ``reference``.

    Parameters
    ----------
    reference : GeoReference
        The loaded reference; its ``territories`` gains the new one.
    territory : NamedTerritory
        The definition; its ``id`` is lowercase letters, digits and hyphens.
    path : Path, optional
        The user file; ``<data_dir>/territoires_utilisateur.toml`` by default.
    """
    if not _ID_PATTERN.match(territory.id):
        raise TerritoryDefinitionError(
            f"Identifiant de territoire invalide « {territory.id} » : lettres minuscules, "
            "chiffres et tirets seulement."
        )
    target = path or user_territories_file()
    check_territories({**reference.territories, territory.id: territory}, reference)
    saved = read_territories_file(target)
    saved[territory.id] = territory
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_territories(saved), encoding="utf-8")
    reference.territories[territory.id] = territory
    return territory


def remove_territory(reference: GeoReference, territory_id: str, path: Path | None = None) -> None:
    """Remove a user territory from the user's file and from ``reference``."""
    target = path or user_territories_file()
    saved = read_territories_file(target)
    if territory_id not in saved:
        raise UnknownCodeError(
            f"« {territory_id} » n'est pas un territoire ajouté par un utilisateur."
        )
    del saved[territory_id]
    target.write_text(dump_territories(saved), encoding="utf-8")
    reference.territories.pop(territory_id, None)


def dump_territories(territories: Mapping[str, NamedTerritory]) -> str:
    """Serialise territories as TOML (the format ``parse_territories`` reads)."""
    lines = ["# Territoires ajoutés par les utilisateurs (écrit par l'application).", ""]
    for territory in territories.values():
        lines.append(f"[territoires.{territory.id}]")
        for name in ("label", "description", "status"):
            lines.append(f"{name} = {json.dumps(getattr(territory, name), ensure_ascii=False)}")
        for name in _LISTS:
            values = getattr(territory, name)
            if values:
                lines.append(f"{name} = {json.dumps(list(values), ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)
