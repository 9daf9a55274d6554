"""French texts shared across pages (short ones; long help lives in docs/*.md)."""

APP_TITLE = "Territoires d'engagement"
APP_SUBTITLE = "Les initiatives du collectif sur les territoires"
GEODATA_BUILDING = "Premier démarrage : construction du référentiel géographique…"
DEMO_BANNER = (
    "**Données de démonstration fictives.** Les initiatives affichées sont inventées pour "
    "illustrer l'application. Importez vos données réelles depuis la page « Importer »."
)
DEMO_BADGE = "Données de démonstration fictives"
