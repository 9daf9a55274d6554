"""What an import recognises: theme, funder and type aliases, confirmed correspondences.

A ``Vocabulary`` is seeded from the store (configured aliases and the correspondences saved by
earlier imports) and grows with the correspondences confirmed for this import
(``Vocabulary.confirm``): a value then resolves as if it had been written that way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from territoires import texts
from territoires.errors import ImportFileError
from territoires.importers.locate import CommuneLocator
from territoires.importers.normalize import label_key, words_key
from territoires.importers.suggest import COLONNES, NEW_FUNDER, Colonne
from territoires.importers.values import TYPES, AliasTable, code_text

# A confirmed « ignore this value »: the row is imported without it (funders and themes).
IGNORE_VALUE = "(ignorer)"
COLUMN_LABELS: dict[str, str] = texts.CORRESPONDENCE_COLUMNS


@dataclass(frozen=True)
class Correspondence:
    """One line of a suggestions or mapping file: ``colonne; valeur; proposition; raison``.

    ``proposition`` empty means « no decision »: the rows keep waiting (rejected).
    """

    colonne: Colonne
    valeur: str
    proposition: str
    raison: str = ""


class _AliasSource(Protocol):
    def theme_aliases(self) -> list[tuple[str, str]]: ...
    def funder_aliases(self) -> list[tuple[str, str]]: ...
    def themes(self) -> pd.DataFrame: ...
    def import_aliases(self) -> list[tuple[str, str, str]]: ...


def value_key(colonne: str, valeur: str) -> str:
    """The key a value is matched by: ``label_key`` for labels; for a commune (name with its
    postcode or département in brackets), ``words_key``."""
    return words_key(valeur) if colonne == "commune" else label_key(valeur)


def commune_value(name: str, postal_code: str | None, departement: str | None) -> str:
    """How an unresolved commune is listed: « Carhaix (29270) », « Carhaix (29) », « Carhaix »."""
    context = postal_code or departement
    return f"{name.strip()} ({context})" if context else name.strip()


@dataclass
class Vocabulary:
    """Alias tables of an import, and the correspondences confirmed for it.

    ``theme_labels`` maps theme codes to their official labels (what a suggestion proposes).
    ``communes`` maps ``value_key`` forms of commune values to INSEE codes. ``ignored`` holds
    the ``(colonne, key)`` of values confirmed as « ignore ». ``new_funders`` the funders that
    confirmed correspondences create.
    """

    themes: AliasTable
    funders: AliasTable
    theme_labels: dict[str, str] = field(default_factory=dict)
    types: AliasTable = field(default_factory=lambda: _copy(TYPES))
    communes: dict[str, str] = field(default_factory=dict)
    ignored: set[tuple[str, str]] = field(default_factory=set)
    new_funders: list[str] = field(default_factory=list)
    _funder_cells: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    _theme_cells: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: _AliasSource) -> Vocabulary:
        """Configured aliases, official labels and the correspondences saved by earlier imports
        (funders' and themes' among the aliases; communes' and types' apart)."""
        frame = store.themes()
        labels = dict(zip(frame["code"], frame["libelle"], strict=True))
        vocabulary = cls(
            AliasTable.build(store.theme_aliases()),
            AliasTable.build(store.funder_aliases()),
            labels,
        )
        vocabulary.remember(Correspondence(*row) for row in store.import_aliases())
        return vocabulary

    # -- resolving cells ---------------------------------------------------------------------
    def funder_names(self, value: object) -> tuple[list[str], list[str]]:
        """``(canonical funders, unresolved parts)`` of a cell (ignored parts dropped)."""
        key = str(value)
        if key not in self._funder_cells:
            self._funder_cells[key] = self._resolve("financeurs", self.funders, value)
        found, unknown = self._funder_cells[key]
        return list(found), list(unknown)

    def theme_codes(self, value: object) -> tuple[list[str], list[str]]:
        """``(theme codes, unresolved parts)`` of a cell (ignored parts dropped)."""
        key = str(value)
        if key not in self._theme_cells:
            self._theme_cells[key] = self._resolve("themes", self.themes, value)
        found, unknown = self._theme_cells[key]
        return list(found), list(unknown)

    def type_of(self, text: str) -> str | None:
        """The canonical type of a non-empty cell, or ``None``."""
        return self.types.get(text)

    def commune_of(self, valeur: str) -> str | None:
        """The INSEE code confirmed for a commune value, or ``None``."""
        return self.communes.get(value_key("commune", valeur))

    def is_ignored(self, colonne: str, valeur: str) -> bool:
        return (colonne, value_key(colonne, valeur)) in self.ignored

    def theme_label(self, code: str) -> str:
        return self.theme_labels.get(code, code)

    def _resolve(
        self, colonne: str, table: AliasTable, value: object
    ) -> tuple[list[str], list[str]]:
        found, unknown = table.resolve(value)
        return found, [part for part in unknown if not self.is_ignored(colonne, part)]

    # -- correspondences ---------------------------------------------------------------------
    def remember(self, correspondences: Iterable[Correspondence]) -> None:
        """Add correspondences saved by earlier imports (already checked when saved).

        One whose target no longer resolves (a funder merged away and not kept as an alias)
        is skipped: its value will be proposed again.
        """
        for item in correspondences:
            try:
                self._add(item, create=False)
            except ValueError:
                continue

    def confirm(
        self, correspondences: Iterable[Correspondence], locator: CommuneLocator
    ) -> list[Correspondence]:
        """Apply confirmed correspondences to this import; return them with their proposition
        as canonical (a theme's code, a funder's name, an INSEE code).

        Lines without a proposition are left out. Raises ``ImportFileError`` listing every
        line whose proposition is not valid (nothing is applied then).
        """
        applied: list[Correspondence] = []
        errors: list[str] = []
        for number, item in enumerate(correspondences, start=2):
            if item.colonne not in COLONNES:
                errors.append(
                    f"ligne {number} : colonne « {item.colonne} » inconnue "
                    f"(attendu : {', '.join(COLONNES)})"
                )
                continue
            if not item.proposition.strip():
                continue
            try:
                applied.append(self._checked(item, locator))
            except ValueError as exc:
                errors.append(f"ligne {number} : {exc}")
        if errors:
            raise ImportFileError(
                "Correspondances illisibles, rien n'a été importé : " + " ; ".join(errors) + "."
            )
        for item in applied:
            self._add(item, create=True)
        self._funder_cells.clear()
        self._theme_cells.clear()
        return applied

    def _checked(self, item: Correspondence, locator: CommuneLocator) -> Correspondence:
        """The correspondence with a canonical proposition, or ``ValueError`` (French)."""
        proposition = item.proposition.strip()
        if item.colonne == "commune":
            code = code_text(proposition, 5)
            code = code if code in locator.codes else locator.former_codes.get(code or "")
            if code is None:
                raise ValueError(f"code INSEE inconnu « {proposition} » pour « {item.valeur} »")
            return Correspondence(item.colonne, item.valeur, code, item.raison)
        if proposition == IGNORE_VALUE and item.colonne in ("financeurs", "themes"):
            return Correspondence(item.colonne, item.valeur, IGNORE_VALUE, item.raison)
        table = {"financeurs": self.funders, "themes": self.themes, "type": self.types}
        canonical = table[item.colonne].get(proposition)
        if canonical is not None:
            return Correspondence(item.colonne, item.valeur, canonical, item.raison)
        if item.colonne == "financeurs":  # a new funder, named as proposed
            return Correspondence(item.colonne, item.valeur, proposition, NEW_FUNDER)
        noun = "thème inconnu" if item.colonne == "themes" else "type inconnu"
        raise ValueError(f"{noun} « {proposition} » pour « {item.valeur} »")

    def _add(self, item: Correspondence, *, create: bool) -> None:
        key = value_key(item.colonne, item.valeur)
        if item.proposition == IGNORE_VALUE:
            self.ignored.add((item.colonne, key))
        elif item.colonne == "commune":
            self.communes[key] = item.proposition
        elif item.colonne == "type":
            self._alias(self.types, item)
        elif item.colonne == "themes":
            self._alias(self.themes, item)
        elif self.funders.get(item.proposition) is not None:
            self._alias(self.funders, item)
        elif not create:
            raise ValueError(f"financeur inconnu « {item.proposition} »")
        else:
            self.funders.add(item.proposition, item.proposition)
            self.funders.add(item.valeur, item.proposition)
            self.new_funders.append(item.proposition)

    @staticmethod
    def _alias(table: AliasTable, item: Correspondence) -> None:
        canonical = table.get(item.proposition)
        if canonical is None:
            raise ValueError(f"« {item.proposition} » inconnu")
        key = label_key(item.valeur)
        table.aliases[key] = canonical  # a confirmed choice wins over an earlier alias
        table.labels.setdefault(key, item.valeur)


def _copy(table: AliasTable) -> AliasTable:
    return AliasTable(dict(table.aliases), dict(table.labels), list(table.comma_labels))


def known_labels(vocabulary: Vocabulary, colonne: Colonne) -> list[str]:
    """The labels a person may choose for a value of ``colonne`` (funders, themes, types)."""
    if colonne == "financeurs":
        return sorted(set(vocabulary.funders.aliases.values()) - set(vocabulary.new_funders))
    if colonne == "themes":
        return [
            vocabulary.theme_label(code)
            for code in dict.fromkeys(vocabulary.themes.aliases.values())
        ]
    return list(dict.fromkeys(vocabulary.types.aliases.values()))
