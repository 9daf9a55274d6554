"""Import files as the app writes them, for the import benchmarks (never used by the product).

``export_frame`` gives synthetic initiatives with what a real network's data carries (a
reference, a description, exact coordinates for a fifth); ``realistic_file`` writes them with
the app's own initiatives export, plus the two columns a network's file carries that the export
does not write: an area served (« Zone d'intervention ») on about 16 % of the rows, in the
app's own ``niveau:code`` text, as the demo data has them, and a status (« Statut »).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# Shares of the rows with an area served, as in the demo data (``territoires/demo.py``): the
# EPCI, a few communes of that EPCI, the département, a named territory. About 16 % in all.
ZONE_SHARES = (("epci", 0.08), ("communes", 0.06), ("departement", 0.01), ("territoire", 0.01))
STATUTS = ("en cours", "terminé", "abandonné")


def cached_reference():  # noqa: ANN201 (a GeoReference, or None)
    """The geographic reference from the built cache, or None (said why: the bench is skipped)."""
    from territoires.errors import GeodataError
    from territoires.geo.cache import load_reference

    try:
        return load_reference()
    except GeodataError:
        print("Cache géographique absent : lancez `make bench` (il le construit). Banc passé.")
        return None


def export_frame(reference, rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` synthetic initiatives with a reference, a description and, for a fifth of
    them, the coordinates of a point inside their commune."""
    from territoires.analysis.synthetic import random_initiatives

    frame = random_initiatives(reference, rows, seed=seed)
    rng = np.random.default_rng(seed)
    frame["reference"] = [f"S-{i:05d}" for i in frame["id"]]
    frame["description"] = [f"Action n° {i} : ateliers, accueil, « café »" for i in frame["id"]]
    frame["fictif"] = False
    points = reference.communes.set_index("code_insee").geometry.representative_point()
    located = rng.random(rows) < 0.2
    codes = frame.loc[located, "commune_code"]
    frame.loc[located, "latitude"] = points.loc[codes].y.to_numpy()
    frame.loc[located, "longitude"] = points.loc[codes].x.to_numpy()
    return frame


def realistic_file(reference, path: Path, rows: int, seed: int = 21, *, changed: int = 0) -> Path:
    """Write a CSV of ``rows`` initiatives: every column of the app's export, an area served
    on about 16 % of the rows, a status; return its path. ``changed``: how many of them (the
    first ones) carry another amount than the same file written without it (a re-import)."""
    from territoires.exports import initiatives_table, to_csv_bytes

    frame = export_frame(reference, rows, seed=seed)
    frame.loc[frame.index[:changed], "montant"] += 500.0
    table = initiatives_table(frame, reference)
    rng = np.random.default_rng(seed)
    table["Zone d'intervention"] = _zones(reference, frame["commune_code"].tolist(), rng)
    table["Statut"] = rng.choice(STATUTS, size=rows, p=(0.6, 0.35, 0.05))
    path.write_bytes(to_csv_bytes(table))
    return path


def _zones(reference, communes: list[str], rng: np.random.Generator) -> list[str]:
    """One area served per row (empty for most), as the app writes it: « epci:200067106 »,
    « commune:22001 ; commune:22002 »."""
    table = reference.communes.set_index("code_insee")
    epci_of = table["epci_code"].to_dict()
    dep_of = table["departement_code"].to_dict()
    members = table.reset_index().groupby("epci_code")["code_insee"].agg(list).to_dict()
    territories = sorted(reference.territories)
    draws = rng.random(len(communes))
    bounds = np.cumsum([share for _, share in ZONE_SHARES])
    zones = []
    for commune, draw in zip(communes, draws, strict=True):
        kind = next((k for (k, _), b in zip(ZONE_SHARES, bounds, strict=True) if draw < b), "")
        epci = epci_of.get(commune)
        if kind == "epci" and isinstance(epci, str):
            zones.append(f"epci:{epci}")
        elif kind == "communes" and isinstance(epci, str):
            others = rng.choice(members[epci], size=min(3, len(members[epci])), replace=False)
            picked = dict.fromkeys([commune, *others])
            zones.append(" ; ".join(f"commune:{code}" for code in picked))
        elif kind == "departement":
            zones.append(f"departement:{dep_of[commune]}")
        elif kind == "territoire" and territories:
            zones.append(f"territoire:{territories[int(draw * 1000) % len(territories)]}")
        else:
            zones.append("")
    return zones
