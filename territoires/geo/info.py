"""A French text description of the loaded reference (``geodata info``)."""

from __future__ import annotations

from territoires.formatting import fr_number, fr_percent
from territoires.geo.reference import GeoReference
from territoires.geo.rurality import (
    NATIONAL_RURAL_SHARES,
    approximation_quality,
    rurality_source,
)
from territoires.geo.sources import read_bretagne_grid


def describe(reference: GeoReference) -> str:
    """Counts per level, sources and vintages, repair and residual holes, rurality source."""
    manifest = reference.manifest
    lines = ["Référentiel géographique", ""]
    if manifest.get("partiel"):
        lines += [f"Cache partiel : départements {', '.join(manifest['partiel'])}.", ""]
    lines.append("Effectifs :")
    lines.append(f"  communes     : {fr_number(len(reference.communes))}")
    lines.append(f"  EPCI         : {fr_number(len(reference.epci))}")
    lines.append(f"  départements : {fr_number(len(reference.departements))}")
    lines.append(f"  régions      : {fr_number(len(reference.regions))}")
    lines.append(f"  territoires nommés : {len(reference.territories)}")
    lines.append("")
    lines.append("Sources :")
    for source in manifest.get("sources", []):
        lines.append(f"  - {source['name']} — millésime {source['vintage']} ({source['licence']})")
    lines.append(f"  Population : millésime {reference.population_vintage()}")
    lines.append("")
    lines += _repair_lines(reference)
    lines.append("")
    lines += _display_lines(reference)
    lines.append("")
    lines.append(f"Ruralité : {rurality_source(reference)}")
    lines += rurality_quality_lines(reference)
    lines.append("")
    lines.append(
        f"Construit le {manifest.get('built_at', '?')} en {manifest.get('build_seconds')} s."
    )
    return "\n".join(lines)


def _name(reference: GeoReference, code: str | None) -> str:
    labels = reference.commune_labels()
    return f"{labels.get(code, '?')} ({code})" if code else "?"


def _km2(value: float, decimals: int = 1) -> str:
    return f"{fr_number(value, decimals)} km²"


def _repair_lines(reference: GeoReference) -> list[str]:
    """Repair of the outlines: gaps given by the table of merged communes or left to a
    geometric rule (each listed with its area), foreign enclaves, missing outlines."""
    repair = reference.manifest.get("repair", {})
    residual = reference.manifest.get("residual_holes", {})
    geometric = repair.get("regle_geometrique", [])
    foreign = repair.get("enclaves_etrangeres", [])
    lines = [
        "Réparation des contours :",
        "  communes complétées par leurs anciennes communes : "
        f"{len(repair.get('completees_par_anciennes_communes', []))}",
        f"  trous comblés : {repair.get('trous_combles', 0)} "
        f"({_km2(repair.get('trous_combles_km2', 0))}) ; zones ouvertes comblées (en bord de "
        f"frontière ou de mer) : {repair.get('zones_ouvertes_comblees', 0)} "
        f"({_km2(repair.get('zones_ouvertes_comblees_km2', 0))})",
        "  rattachés à la commune qui a absorbé l'ancienne commune (table des communes "
        f"fusionnées) : {repair.get('trous_rattaches_a_leur_commune_nouvelle', 0)} "
        f"({_km2(repair.get('trous_rattaches_a_leur_commune_nouvelle_km2', 0))})",
        f"  fusions mal rattachées : {repair.get('fusions_mal_rattachees', '?')}",
        f"  laissés à une règle géométrique : {len(geometric)} "
        f"({_km2(sum(g['superficie_km2'] for g in geometric), 3)})",
    ]
    for gap in geometric:
        x, y = gap["point"]
        lines.append(
            f"    - {_km2(gap['superficie_km2'], 3)} → {_name(reference, gap['commune'])}, "
            f"{gap['regle']}, vers {x:.4f}, {y:.4f}"
        )
    lines.append(f"  enclaves étrangères laissées vides : {len(foreign)}")
    for enclave in foreign:
        x, y = enclave["point"]
        lines.append(f"    - {_km2(enclave['superficie_km2'])}, vers {x:.4f}, {y:.4f}")
    lines += _missing_outline_lines(reference)
    lines.append(
        f"  trous résiduels non couverts : {residual.get('trous_non_couverts', '?')} "
        f"({residual.get('superficie_km2', '?')} km²) ; zones non couvertes : "
        f"{residual.get('zones_non_couvertes', '?')} ; enclaves réelles : "
        f"{residual.get('enclaves_reelles', '?')}"
    )
    return lines


def _missing_outline_lines(reference: GeoReference) -> list[str]:
    communes = reference.communes
    if "contour_manquant" not in communes.columns:
        missing = reference.manifest.get("repair", {}).get("sans_contour", [])
        return [f"  communes sans contour : {len(missing)} {' '.join(missing)}".rstrip()]
    rows = communes.loc[communes["contour_manquant"].fillna(False).astype(bool)]
    lines = [f"  communes sans contour (« contour manquant ») : {len(rows)}"]
    for _, row in rows.iterrows():
        holder = row.get("contour_porteur")
        where = (
            f"territoire compté dans {_name(reference, holder)}, densité de la population réunie"
            if isinstance(holder, str)
            else "territoire inconnu"
        )
        lines.append(f"    - {row['nom']} ({row['code_insee']}) : {where}")
    return lines


def _display_lines(reference: GeoReference) -> list[str]:
    quality = reference.manifest.get("affichage", {})
    ratio = quality.get("ratio_superficie_min")
    return [
        "Couche d'affichage des communes (simplifiée) :",
        f"  polygones invalides : {quality.get('polygones_invalides', '?')}",
        "  plus petit rapport de superficie (affichée / réelle) : "
        + (f"{fr_percent(ratio, 1)}" if ratio is not None else "?")
        + f" ({_name(reference, quality.get('commune_ratio_min'))}) ; communes sous 80 % : "
        f"{quality.get('communes_sous_80_pct', '?')}",
    ]


def rurality_quality_lines(reference: GeoReference) -> list[str]:
    """The approximation's national shares and agreement with INSEE's 2024 grid of Bretagne,
    next to the density thresholds alone (the former approximation)."""
    quality = approximation_quality(reference.communes, read_bretagne_grid())
    insee = NATIONAL_RURAL_SHARES
    lines = [
        "  Part rurale, France entière (grille INSEE 2024 : environ "
        f"{fr_percent(insee['communes'])} des communes, {fr_percent(insee['population'])} de "
        "la population) :"
    ]
    labels = {"approximation": "approximation", "densite_seule": "densité seule (ancienne)"}
    for key, label in labels.items():
        shares = quality[key]["parts_nationales"]
        lines.append(
            f"    {label} : {fr_percent(shares['communes'], 1)} des communes, "
            f"{fr_percent(shares['population'], 1)} de la population"
        )
    if "accord" in quality["approximation"]:
        count = quality["approximation"]["accord"]["communes"]
        lines.append(
            f"  Accord avec la grille INSEE 2024 de Bretagne ({fr_number(count)} communes) :"
        )
        for key, label in labels.items():
            agree = quality[key]["accord"]
            lines.append(
                f"    {label} : rural / urbain {fr_percent(agree['rural'], 1)}, même niveau "
                f"(4 niveaux) {fr_percent(agree['niveau'], 1)}"
            )
    return lines
