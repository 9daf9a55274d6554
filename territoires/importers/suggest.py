"""Suggestions for values that match nothing: a proposal and its reason, never applied alone.

Labels (funders, themes, types) are compared on their normalised forms (``label_key``) with
rapidfuzz; a commune name is looked for first among the communes of the row's postcode, then
of its département, then in all France (« Carhaix » + 29270 -> Carhaix-Plouguer, 29024, the
only commune of that postcode whose name begins with « Carhaix »). A suggestion is only a
proposal: the import applies it once a person confirms it (``--mapping`` or the
« Correspondances » step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from territoires.importers.locate import CommuneLocator, LocationError, postal_code_text
from territoires.importers.normalize import commune_key, label_key
from territoires.importers.values import AliasTable

Colonne = Literal["commune", "financeurs", "themes", "type"]
COLONNES: tuple[Colonne, ...] = ("commune", "financeurs", "themes", "type")
NEW_FUNDER = "nouveau financeur"
# Below these scores (0-100) nothing is proposed.
LABEL_THRESHOLD = 80.0
COMMUNE_THRESHOLD = 85.0
_PREFIX_MIN = 4  # a name shorter than this is not taken as the beginning of another
_MAX_OPTIONS = 8


@dataclass(frozen=True)
class Suggestion:
    """One value that matched nothing, and what could replace it.

    ``proposition`` is a canonical label, a commune's INSEE code, or ``""``; for a funder
    with no close match, the value itself (``raison`` is then « nouveau financeur »).
    ``options`` are the ranked candidates a person may choose from instead (labels or codes);
    ``lignes`` the file lines where the value stands.
    """

    colonne: Colonne
    valeur: str
    proposition: str
    raison: str
    options: tuple[str, ...] = ()
    lignes: tuple[int, ...] = ()


# --- labels --------------------------------------------------------------------------------
def _label_score(query: str, choice: str, **_: object) -> float:
    return max(fuzz.ratio(query, choice), fuzz.token_sort_ratio(query, choice))


def suggest_label(
    colonne: Colonne, valeur: str, table: AliasTable, display: Callable[[str], str]
) -> Suggestion:
    """The closest known label of a funder, theme or type that matched nothing.

    Parameters
    ----------
    colonne : {"financeurs", "themes", "type"}
    valeur : str
        The value as written in the file.
    table : AliasTable
        Known aliases and official names (keys are ``label_key`` forms).
    display : callable
        Canonical value -> the label to propose (a theme's code -> its official label).
    """
    ranked = _ranked_labels(label_key(valeur), table)
    if not ranked:
        if colonne == "financeurs":
            return Suggestion(colonne, valeur, valeur, NEW_FUNDER)
        noun = "thème" if colonne == "themes" else "type"
        return Suggestion(colonne, valeur, "", f"aucun {noun} proche")
    (best, score, alias), *others = ranked
    reason = f"proche de « {table.labels[alias]} » ({score:.0f} %)"
    if others and others[0][1] >= score - 5:
        reason += f" ; aussi de « {display(others[0][0])} » ({others[0][1]:.0f} %)"
    options = tuple(display(canonical) for canonical, _, _ in ranked)
    return Suggestion(colonne, valeur, display(best), reason, options)


def _ranked_labels(key: str, table: AliasTable) -> list[tuple[str, float, str]]:
    """``(canonical, score, alias key)`` above the threshold, best first, one per canonical;
    a key of four letters or more that begins the words of one canonical only counts too."""
    best: dict[str, tuple[float, str]] = {}
    matches = process.extract(
        key, list(table.aliases), scorer=_label_score, limit=None, score_cutoff=LABEL_THRESHOLD
    )
    for alias, score, _ in matches:
        canonical = table.aliases[alias]
        if score > best.get(canonical, (-1.0, ""))[0]:
            best[canonical] = (score, alias)
    if not best and len(key) >= _PREFIX_MIN:
        starts = {
            table.aliases[alias]: alias
            for alias in table.aliases
            if any(word.startswith(key) for word in alias.split())
        }
        if len(starts) == 1:
            canonical, alias = next(iter(starts.items()))
            best[canonical] = (LABEL_THRESHOLD, alias)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
    return [(canonical, score, alias) for canonical, (score, alias) in ranked]


# --- communes ------------------------------------------------------------------------------
def suggest_commune(
    locator: CommuneLocator,
    valeur: str,
    name: str,
    postal_code: object = None,
    departement: object = None,
) -> Suggestion:
    """The commune a name that matched nothing most likely means, ranked by postcode, then
    département, then all France.

    Parameters
    ----------
    valeur : str
        What the suggestion lists (the name as written, with its postcode or département).
    name, postal_code, departement
        The row's cells.
    """
    name, dep_in_name = locator.split_name(name)
    key = commune_key(name)
    pools = _pools(locator, postal_code_text(postal_code), departement, dep_in_name)
    ranked: list[tuple[str, str]] = []  # (code, reason), best first
    for label, codes in pools:
        seen = {code for code, _ in ranked}
        ranked.extend(
            item for item in _in_pool(locator, key, name, label, codes) if item[0] not in seen
        )
    if not ranked:
        return Suggestion("commune", valeur, "", "aucune commune proche")
    options = tuple(code for code, _ in ranked[:_MAX_OPTIONS])
    code, reason = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == reason:
        listed = ", ".join(locator.describe(c) for c in options[:4])
        return Suggestion(
            "commune", valeur, "", f"plusieurs communes possibles : {listed}", options
        )
    return Suggestion("commune", valeur, code, f"{locator.nom[code]} : {reason}", options)


def _pools(
    locator: CommuneLocator, cp: str | None, departement: object, dep_in_name: str | None
) -> list[tuple[str, set[str] | None]]:
    """Where to look, nearest first: the postcode's communes, the département's, France."""
    pools: list[tuple[str, set[str] | None]] = []
    if cp and cp in locator.postal:
        pools.append((f"du code postal {cp}", locator.postal[cp]))
    deps = _departements(locator, cp, departement, dep_in_name)
    for dep in deps:
        pools.append((f"du département {locator.dep_nom[dep]} ({dep})", locator.by_dep[dep]))
    pools.append(("de France", None))
    return pools


def _departements(
    locator: CommuneLocator, cp: str | None, departement: object, dep_in_name: str | None
) -> list[str]:
    if departement is not None and str(departement).strip():
        try:
            return [locator.departement_code(departement)]
        except LocationError:
            return []
    if dep_in_name:
        return [dep_in_name]
    if cp and cp in locator.postal:
        return sorted({locator.dep_of[code] for code in locator.postal[cp]})
    if cp:
        return [dep for dep in (cp[:3], cp[:2]) if dep in locator.dep_nom][:1]
    return []


def _in_pool(
    locator: CommuneLocator, key: str, name: str, label: str, codes: set[str] | None
) -> Iterable[tuple[str, str]]:
    """Candidates of one pool: the communes whose name begins with ``name``, else close names."""
    names = locator.name_index(codes)
    starts = sorted(
        {code for other, found in names.items() if other.startswith(f"{key} ") for code in found}
    )
    if len(key) >= _PREFIX_MIN and starts:
        reason = (
            f"seule commune {label} dont le nom commence par « {name} »"
            if len(starts) == 1
            else f"communes {label} dont le nom commence par « {name} »"
        )
        return [(code, reason) for code in starts]
    matches = process.extract(
        key, list(names), scorer=fuzz.ratio, limit=_MAX_OPTIONS, score_cutoff=COMMUNE_THRESHOLD
    )
    return [
        (
            code,
            f"même nom, commune {label}"
            if score == 100
            else f"nom proche ({score:.0f} %), commune {label}",
        )
        for other, score, _ in matches
        for code in sorted(names[other])
    ]
