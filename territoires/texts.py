"""French texts shared across pages (short ones; long help lives in docs/*.md)."""

APP_TITLE = "Territoires d'engagement"
APP_SUBTITLE = "Les initiatives du collectif sur les territoires"
GEODATA_BUILDING = "Premier démarrage : construction du référentiel géographique…"
GEODATA_FAILED = (
    "La construction du référentiel géographique a échoué ; le détail figure dans le journal "
    "du serveur. Vous pouvez la relancer avec `python -m territoires geodata build`."
)
DEMO_BANNER = (
    "**Données de démonstration fictives.** Les initiatives affichées sont inventées pour "
    "illustrer l'application. Importez vos données réelles depuis la page « Importer »."
)
# Streamlit's file uploader has no option for its own texts; ``ui.chrome.uploader_in_french``
# shows these instead.
UPLOAD_BUTTON = "Choisir un fichier"
UPLOAD_LIMIT = "{size}\u00a0Mo maximum par fichier"
# Streamlit's own texts in its lists and text inputs, drawn in French by ``ui.chrome.PAGE_CSS``.
INPUT_HINT = "Entrée pour valider"  # under a text being typed (« Press Enter to apply »)
NO_OPTION_MATCH = "Aucun résultat"  # a searched list that matches nothing (« No results »)
SELECT_ALL = "Tout sélectionner"
SELECT_MATCHES = "Sélectionner les résultats"  # « Select 3 matches »: the count cannot follow
# Shown in a list emptied to search in it (Streamlit's own: « Choose an option »).
CHOOSE = "Choisissez…"
CHOOSE_TERRITORY = "Tapez quelques lettres…"
DEMO_BADGE = "Données de démonstration fictives"

# The map page when the filters leave no initiative (the map then shows every territory at 0).
NO_MATCH = (
    "Aucune initiative ne correspond aux filtres : élargissez-les, ou cliquez sur "
    "« Réinitialiser les filtres » dans la barre latérale."
)
NO_MATCH_PRESENTATION = (  # the sidebar is hidden in presentation mode
    "Aucune initiative ne correspond aux filtres : quittez la présentation pour les élargir."
)

# The columns whose values an import reconciles (funders, themes, communes, types), as named in
# the Correspondances step, its saved list and the history of a removed correspondence.
CORRESPONDENCE_COLUMNS: dict[str, str] = {
    "commune": "Commune",
    "financeurs": "Financeur",
    "themes": "Thème",
    "type": "Type",
}
