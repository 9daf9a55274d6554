"""The app's pages: script, French title, icon and address, in the navigation's order.

``app.py`` builds its ``st.navigation`` from this table; the page smoke tests and the map
benchmark's floor read it too, so that they follow the app. ``need`` says who may use a page
(``territoires.access.Access.may``): the others do not see it in the navigation, and opening
it by its address shows the French refusal instead (``app.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from territoires.access import Need


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    need: Need = "lecteur"


PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("app_pages/carte.py", "Carte", ":material/map:", "carte"),
    PageSpec("app_pages/couverture.py", "Couverture", ":material/travel_explore:", "couverture"),
    PageSpec("app_pages/fiche.py", "Fiche territoire", ":material/location_city:", "fiche"),
    PageSpec("app_pages/initiatives.py", "Initiatives", ":material/table_rows:", "initiatives"),
    PageSpec("app_pages/importer.py", "Importer", ":material/upload_file:", "importer", "editeur"),
    PageSpec("app_pages/historique.py", "Historique", ":material/history:", "historique", "membre"),
    PageSpec(
        "app_pages/administration.py",
        "Administration",
        ":material/admin_panel_settings:",
        "administration",
        "admin",
    ),
    PageSpec(
        "app_pages/methodologie.py",
        "Méthodologie et sources",
        ":material/menu_book:",
        "methodologie",
    ),
)
