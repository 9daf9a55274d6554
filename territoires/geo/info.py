"""A French text description of the loaded reference (``geodata info``)."""

from __future__ import annotations

from territoires.formatting import fr_number
from territoires.geo.reference import GeoReference
from territoires.geo.rurality import rurality_source


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
    lines.append(f"  Population : millésime {manifest.get('population_vintage', '?')}")
    lines.append("")
    repair = manifest.get("repair", {})
    residual = manifest.get("residual_holes", {})
    lines.append("Réparation des contours :")
    lines.append(
        f"  communes complétées par leurs anciennes communes : "
        f"{len(repair.get('completees_par_anciennes_communes', []))}"
    )
    lines.append(
        f"  trous comblés : {repair.get('trous_combles', 0)} "
        f"({repair.get('trous_combles_km2', 0)} km²)"
    )
    lines.append(
        "  zones ouvertes comblées (en bord de frontière ou de mer) : "
        f"{repair.get('zones_ouvertes_comblees', 0)} "
        f"({repair.get('zones_ouvertes_comblees_km2', 0)} km²)"
    )
    lines.append(
        "  dont rattachés à leur commune nouvelle : "
        f"{repair.get('trous_rattaches_a_leur_commune_nouvelle', 0)}"
    )
    missing = repair.get("sans_contour", [])
    lines.append(f"  communes sans contour : {len(missing)} {' '.join(missing)}".rstrip())
    lines.append(
        f"  trous résiduels non couverts : {residual.get('trous_non_couverts', '?')} "
        f"({residual.get('superficie_km2', '?')} km²) ; zones non couvertes : "
        f"{residual.get('zones_non_couvertes', '?')} ; enclaves réelles : "
        f"{residual.get('enclaves_reelles', '?')}"
    )
    lines.append("")
    lines.append(f"Ruralité : {rurality_source(reference)}")
    lines.append("")
    lines.append(
        f"Construit le {manifest.get('built_at', '?')} en {manifest.get('build_seconds')} s."
    )
    return "\n".join(lines)
