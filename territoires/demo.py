"""Fictional demo initiatives: a seeded generator and the loader called when the app starts.

The committed dataset ``territoires/data/demo_initiatives.json`` is made by
``scripts/make_demo.py`` from the real commune reference. Every record is flagged ``fictif``;
titles and porteurs are plausible in shape but plainly invented (« Association fictive … »).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pandas as pd

from territoires.errors import StoreError
from territoires.geo.reference import GeoReference
from territoires.settings import get_settings
from territoires.store import Actor, Store

DEMO_PATH = Path(__file__).resolve().parent / "data" / "demo_initiatives.json"
DEMO_SOURCE = "jeu de démonstration fictif"
DEMO_SEED = 20240915
DEMO_SIZE = 480
RURAL_DENSITY = 60.0  # inhabitants per km²: a simple approximation for choosing communes

# Clusters: (named territory id or departement code, share of the records).
CLUSTERS: tuple[tuple[str, str, float], ...] = (
    ("territoire", "centre-bretagne-elargi", 0.34),
    ("departement", "23", 0.08),  # Creuse
    ("departement", "12", 0.08),  # Aveyron
    ("departement", "58", 0.07),  # Nièvre
    ("departement", "26", 0.07),  # Drôme
    ("departement", "88", 0.06),  # Vosges
)

FUNDERS: tuple[tuple[str, float], ...] = (
    ("Fondation de France", 0.32),
    ("Fondation Daniel et Nina Carasso", 0.2),
    ("Fondation JM Bruneau", 0.15),
    ("Fondation Entreprendre", 0.1),
    ("Fonds de dotation Terre et Fils", 0.1),
    ("Région imaginaire (démo)", 0.05),
    ("Mécénat fictif du Bocage", 0.04),
    ("Caisse solidaire fictive", 0.04),
)

PROJECTS: dict[str, tuple[str, ...]] = {
    "prendre-soin": (
        "Café des aidants",
        "Visites de convivialité",
        "Épicerie solidaire itinérante",
        "Transport solidaire",
        "Maison de santé participative",
        "Jardin thérapeutique",
        "Repas partagés du dimanche",
    ),
    "cultures-savoirs": (
        "Festival de contes",
        "Atelier de vannerie",
        "Conservatoire de semences paysannes",
        "Résidence d'artistes",
        "Fête du pain au four banal",
        "Collectage de mémoires",
        "Chorale intergénérationnelle",
    ),
    "espaces-cooperation": (
        "Tiers-lieu",
        "Recyclerie",
        "Fab lab rural",
        "Café associatif",
        "Atelier vélo partagé",
        "Halle de producteurs",
        "Coworking de village",
    ),
}
PORTEUR_NAMES = (
    "La Ruche Buissonnière",
    "Les Colibris du Talus",
    "Le Grenier Imaginaire",
    "Les Mille Pattes",
    "La Fourmilière d'Ici",
    "Les Chemins de Traverse",
    "Le Lierre et la Pierre",
    "Les Veilleurs de Lande",
    "La Grange aux Songes",
    "Les Ateliers de la Brume",
)
STATUTS = ("en cours", "terminé")
# Named territories (geodata/territoires.toml) that some demo records serve.
TERRITORIES = ("centre-ouest-bretagne", "centre-bretagne")


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _amount(rng: random.Random) -> float:
    """Log-uniform between 2 k€ and 200 k€, rounded to 500 €."""
    value = math.exp(rng.uniform(math.log(2000), math.log(200000)))
    return float(max(2000, round(value / 500) * 500))


def _pools(reference: GeoReference) -> list[tuple[list[str], float]]:
    """Candidate communes per cluster, mostly rural, with the share of records they get."""
    communes = reference.communes
    rural = communes.loc[communes["densite"] < RURAL_DENSITY]
    metropole = rural.loc[rural["departement_code"].str.len() == 2]
    pools: list[tuple[list[str], float]] = []
    used = 0.0
    for level, code, share in CLUSTERS:
        if level == "territoire":
            codes = (
                set(reference.territory_communes(code)) if code in reference.territories else set()
            )
        else:
            codes = set(communes.loc[communes["departement_code"] == code, "code_insee"])
        pool = sorted(codes & set(rural["code_insee"])) or sorted(codes)
        if pool:
            pools.append((pool, share))
            used += share
    rest = sorted(metropole["code_insee"]) or sorted(communes["code_insee"])
    pools.append((rest, max(1.0 - used, 0.1)))
    return pools


def _zone(
    rng: random.Random, commune: str, kind: str, reference: GeoReference, territory: str | None
) -> list[dict[str, str]]:
    """Some records serve an area: their EPCI, a few communes, or a named territory."""
    row = reference.commune(commune)
    if kind == "fondation territoriale":
        if territory:
            return [{"level": "territoire", "code": territory}]
        return [{"level": "departement", "code": str(row["departement_code"])}]
    draw = rng.random()
    if draw < 0.08 and isinstance(row["epci_code"], str):
        return [{"level": "epci", "code": row["epci_code"]}]
    if draw < 0.16 and isinstance(row["epci_code"], str):
        siblings = sorted(
            reference.communes.loc[
                reference.communes["epci_code"] == row["epci_code"], "code_insee"
            ]
        )
        picked = sorted(
            set(rng.sample(siblings, min(len(siblings), rng.randint(2, 4)))) | {commune}
        )
        return [{"level": "commune", "code": code} for code in picked]
    if draw < 0.2 and territory:
        return [{"level": "territoire", "code": territory}]
    return []


def _record(
    rng: random.Random, index: int, commune: str, reference: GeoReference, territory: str | None
) -> dict[str, Any]:
    draw = rng.random()
    kind = (
        "fondation territoriale" if draw < 0.03 else "autre" if draw < 0.07 else "projet associatif"
    )
    themes = rng.sample(list(PROJECTS), rng.choices([1, 2, 3], weights=[0.65, 0.3, 0.05])[0])
    row = reference.commune(commune)
    name = str(row["nom"])
    if kind == "fondation territoriale":
        titre = f"Fondation territoriale fictive de {name} : fonds d'initiatives locales"
        porteur = f"Fondation territoriale fictive de {name}"
    else:
        titre = f"{rng.choice(PROJECTS[themes[0]])} de {name}"
        porteur = f"Association fictive {rng.choice(PORTEUR_NAMES)}"
    montant = _amount(rng)
    funders = [_weighted(rng, FUNDERS)]
    if rng.random() < 0.25:
        others = [f for f, _ in FUNDERS if f not in funders]
        funders += rng.sample(others, rng.choice([1, 1, 2]))
    shares = [rng.uniform(1, 3) for _ in funders]
    parts = [round(montant * s / sum(shares) / 100) * 100 for s in shares]
    parts[0] += montant - sum(parts)
    annee = rng.randint(2019, 2026)
    exact = rng.random() < 0.1
    point = row.geometry.representative_point() if exact else None
    return {
        "reference": f"DEMO-{index:04d}",
        "titre": titre,
        "description": (
            f"Initiative fictive, créée pour la démonstration de l'application : "
            f"portée par {porteur} à {name}."
        ),
        "porteur": porteur,
        "type": kind,
        "themes": themes,
        "financements": [
            {"financeur": f, "montant": float(p) if len(funders) > 1 else montant}
            for f, p in zip(funders, parts, strict=True)
        ],
        "montant": montant,
        "annee": annee,
        "date_debut": f"{annee}-{rng.randint(1, 12):02d}-01" if rng.random() < 0.5 else None,
        "date_fin": None,
        "statut": STATUTS[0] if annee >= 2024 else STATUTS[1],
        "commune_code": commune,
        "zone_intervention": _zone(rng, commune, kind, reference, territory),
        "latitude": round(point.y, 5) if point is not None else None,
        "longitude": round(point.x, 5) if point is not None else None,
        "site_web": None,
        "contact": None,
        "fictif": True,
    }


def generate_demo(
    reference: GeoReference, *, size: int = DEMO_SIZE, seed: int = DEMO_SEED
) -> list[dict[str, Any]]:
    """Generate ``size`` fictional initiatives on ``reference``'s communes (deterministic)."""
    if size < 1:
        raise ValueError(f"expected a positive size, got {size}")
    rng = random.Random(seed)
    pools = _pools(reference)
    territory_of = {
        code: ident
        for ident in TERRITORIES
        if ident in reference.territories
        for code in reference.territory_communes(ident)
    }
    records = []
    for index in range(1, size + 1):
        pool = rng.choices([p for p, _ in pools], weights=[w for _, w in pools])[0]
        commune = rng.choice(pool)
        records.append(_record(rng, index, commune, reference, territory_of.get(commune)))
    return records


def write_demo(records: list[dict[str, Any]], path: Path = DEMO_PATH) -> Path:
    """Write the dataset as JSON (one record per line inside a list, stable diffs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    return path


def load_demo_records(path: Path = DEMO_PATH) -> list[dict[str, Any]]:
    """Read the committed demo dataset."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise StoreError(f"Jeu de démonstration illisible : {path} ({exc}).") from exc
    return [{**r, "fictif": True, "source_fichier": DEMO_SOURCE} for r in records]


def _usable(record: dict[str, Any], reference: GeoReference, codes: set[str]) -> bool:
    if record["commune_code"] not in codes:
        return False
    for part in record.get("zone_intervention") or []:
        if part["level"] == "territoire" and part["code"] not in reference.territories:
            return False
    return True


def ensure_demo(
    store: Store, reference: GeoReference, *, actor: Actor, path: Path = DEMO_PATH
) -> int:
    """Load the demo dataset, as ``actor``, when the database never held any initiative (nor
    any import) and ``TERRITOIRES_DEMO`` is on.

    Returns the number of records loaded (0 when nothing was done). Records whose commune or
    named territory is not in ``reference`` are skipped.
    """
    if not get_settings().demo or not store.is_empty():
        return 0
    codes = set(reference.communes["code_insee"])
    records = [r for r in load_demo_records(path) if _usable(r, reference, codes)]
    if not records:
        return 0
    known = set(store.funders()["nom"])
    new = sorted({f["financeur"] for r in records for f in r["financements"]} - known)
    # checked again under the import lock: processes starting at once load it once
    result = store.import_batch(
        records, actor=actor, new_funders=new, source=DEMO_SOURCE, if_empty=True
    )
    return result.nouvelles


def demo_summary(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Counts by theme, funder and year, to check the dataset's shape."""
    rows = [
        {"kind": kind, "value": value}
        for r in records
        for kind, values in (
            ("theme", r["themes"]),
            ("financeur", [f["financeur"] for f in r["financements"]]),
            ("annee", [r["annee"]]),
            ("type", [r["type"]]),
        )
        for value in values
    ]
    return pd.DataFrame(rows).value_counts().rename("n").reset_index()
