// Streamlit's own interface texts in French: the tables' column menu and toolbar tooltips, and
// the labels read aloud by screen readers (« Collapse sidebar », « Help for … », « Remove … »).
// Streamlit writes them in English with no option to change them. This script runs once per
// browser tab, in the page (``ui.chrome.PAGE_HTML``), and starts when the browser is idle: the
// page's layout and the map's drawing do not wait for it. It then follows what Streamlit adds.
(function () {
  "use strict";
  if (window.__territoiresFr) { return; }
  window.__territoiresFr = true;

  // Texts of Streamlit's menus and tooltips, translated only inside these elements: a user's
  // own text (an initiative, a column or a value called « Search » or « Empty »: the column
  // menu shows the column's name, the statistics its most frequent values) is never touched.
  var CHROME = '[data-testid^="stDataFrame"] [role="menuitem"], ' +
    '[data-testid="stDataFrameStatisticsMetrics"] dt, [data-testid="stTooltipContent"], ' +
    '[data-testid="stSkipToContent"], [data-testid="stDataFrame"] label[for^="search-box"], ' +
    '[data-testid="search-result-area"], [role="dialog"], [data-testid="stStatusWidget"], ' +
    '[data-testid="stFileChip"], [data-testid="stTooltipErrorContent"], ' +
    '[data-testid="stExceptionMessage"]';
  // Inside those, a user's own text: a file's name.
  var USER = '[data-testid="stFileChipName"]';
  var TEXTS = {
    "Sort ascending": "Tri croissant",
    "Sort descending": "Tri décroissant",
    "Statistics": "Statistiques",
    "Autosize": "Ajuster la largeur",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Détacher la colonne",
    "Hide column": "Masquer la colonne",
    "Automatic": "Automatique",
    "Localized": "Selon la langue",
    "Plain": "Brut",
    "Percent": "Pourcentage",
    "Scientific": "Scientifique",
    "Accounting": "Comptable",
    "Duration": "Durée",
    "Calendar": "Calendrier",
    "Values": "Valeurs",
    "Empty": "Vides",
    "Distinct": "Distinctes",
    "Average": "Moyenne",
    "Standard deviation": "Écart type",
    "Median": "Médiane",
    "Sum": "Somme",
    "Range": "Étendue",
    "Minimum length": "Longueur minimale",
    "Maximum length": "Longueur maximale",
    "Average length": "Longueur moyenne",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Copy to clipboard": "Copier",
    "Copy column name": "Copier le nom de la colonne",
    "Download as CSV": "Télécharger en CSV",
    "Clear selection": "Effacer la sélection",
    "Select all": "Tout sélectionner",
    "Skip to main content": "Aller au contenu principal",
    "Type to search": "Tapez pour chercher",
    // Streamlit's dialogs and status: a wrong link, a server stopped during a meeting
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist. Running the app's main page.":
      "Cette page n'existe pas : l'application affiche sa page d'accueil.",
    "Connection error": "Connexion au serveur perdue",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
      "L'application est-elle encore lancée ? Si elle a été arrêtée, relancez-la dans un terminal, " +
      "depuis son dossier :",
    "streamlit run yourscript.py": "make run",
    "Streamlit server is not responding. Are you connected to the internet?":
      "Le serveur de l'application ne répond pas. Le réseau est-il disponible ?",
    "Connecting": "Connexion…",
    // an unexpected error (client.showErrorDetails = "none"): no traceback, this message
    "This app has encountered an error. The original error message is redacted to prevent data leaks. Full error details have been recorded in the logs (if you're on Streamlit Cloud, click on 'Manage app' in the lower right of your app).":
      "Une erreur inattendue est survenue ; son détail est écrit dans le journal du serveur. " +
      "Rechargez la page, ou réinitialisez les filtres.",
    "Error": "Erreur",
    "Error:": "Erreur :",
    "Stop": "Arrêter"
  };
  // Labels of Streamlit's controls (aria-label, placeholder, and a button's title), wherever
  // they are: the title of other elements may be a user's text (a column's name).
  var LABELS = {
    "Collapse sidebar": "Replier la barre latérale",
    "Expand sidebar": "Déplier la barre latérale",
    "Sidebar": "Barre latérale",
    "App pages": "Pages de l'application",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Selected values": "Valeurs choisies",
    "Clear entry": "Effacer",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Add files": "Ajouter des fichiers",
    "Main menu": "Menu principal",
    "Notifications": "Notifications",
    "Navigate to home page": "Aller à la page d'accueil",
    "Scroll tabs left": "Onglets précédents",
    "Scroll tabs right": "Onglets suivants",
    "Next page": "Page suivante",
    "Running...": "Exécution en cours…",
    "Stopping...": "Arrêt en cours…",
    "Connecting to Streamlit server": "Connexion au serveur de l'application",
    "Unable to connect to Streamlit server": "Impossible de joindre le serveur de l'application",
    "Previous page": "Page précédente",
    "Link to heading": "Lien vers ce titre",
    "Dataframe column menu": "Menu de la colonne",
    "Choose an option": "Choisissez…",
    "Choose options": "Choisissez…",
    "file upload": "Envoi de fichier",
    "Previous Result": "Résultat précédent",
    "Next Result": "Résultat suivant",
    "Close Search": "Fermer la recherche"
  };
  // Texts with a number or a name, in the same containers: « 24 results » in a table's search;
  // a file refused by the import's file picker, with its size (« 13.0B »).
  var UNITS = { B: "o", KB: "Ko", MB: "Mo", GB: "Go" };
  var COUNTS = [
    [/^(\d+) results?$/, function (n) {
      return n + (Number(n) > 1 ? " résultats" : " résultat");
    }],
    [/^(?:Error: )?(.+) files are not allowed\.$/, function (type) {
      return "Type de fichier non accepté (" + type + ").";
    }],
    [/^(\d+(?:\.\d+)?)(B|KB|MB|GB)$/, size],
    // a file over the server's limit (server.maxUploadSize), refused by the file picker
    [/^(?:Error: )?File must be (\d+(?:\.\d+)?)(B|KB|MB|GB) or smaller\.$/, function (n, unit) {
      return "Fichier trop lourd : " + size(n, unit) + " au plus. Pour importer un fichier " +
        "plus lourd, découpez-le, ou demandez à la personne qui gère l'application de relever " +
        "la limite.";
    }],
    [/^(?:Error: )?Only one file is allowed\.$/, function () {
      return "Un seul fichier à la fois.";
    }],
    [/^(?:Error: )?File size is too small\.$/, function () {
      return "Fichier trop petit.";
    }]
  ];
  function size(number, unit) {
    var value = unit === "B" ? String(Math.round(Number(number))) :
      number.replace(/\.0$/, "").replace(".", ",");
    return value + "\u00a0" + UNITS[unit];
  }
  var PREFIXES = [["Help for ", "Aide : "], ["Remove ", "Retirer "]];
  var SUFFIXES = [[" — start", " — début"], [" — end", " — fin"]];
  var ATTRIBUTES = ["aria-label", "title", "placeholder"];

  function label(value) {
    if (Object.prototype.hasOwnProperty.call(LABELS, value)) { return LABELS[value]; }
    if (Object.prototype.hasOwnProperty.call(TEXTS, value)) { return TEXTS[value]; }
    var i;
    for (i = 0; i < PREFIXES.length; i++) {
      if (value.indexOf(PREFIXES[i][0]) === 0) {
        return PREFIXES[i][1] + value.slice(PREFIXES[i][0].length);
      }
    }
    for (i = 0; i < SUFFIXES.length; i++) {
      var end = value.length - SUFFIXES[i][0].length;
      if (end > 0 && value.indexOf(SUFFIXES[i][0], end) === end) {
        return value.slice(0, end) + SUFFIXES[i][1];
      }
    }
    return null;
  }

  function translateAttributes(element) {
    for (var i = 0; i < ATTRIBUTES.length; i++) {
      if (ATTRIBUTES[i] === "title" && element.tagName !== "BUTTON") { continue; }
      var value = element.getAttribute(ATTRIBUTES[i]);
      var french = value && label(value);
      if (french) { element.setAttribute(ATTRIBUTES[i], french); }
    }
  }

  function french(text) {
    if (Object.prototype.hasOwnProperty.call(TEXTS, text)) { return TEXTS[text]; }
    for (var i = 0; i < COUNTS.length; i++) {
      var match = COUNTS[i][0].exec(text);
      if (match) { return COUNTS[i][1](match[1], match[2]); }
    }
    return null;
  }

  function translateText(node) {
    var text = node.nodeValue, trimmed = text.trim();
    var translated = trimmed && french(trimmed);
    var parent = node.parentElement;
    if (translated && parent && parent.closest(CHROME) && !parent.closest(USER)) {
      node.nodeValue = text.replace(trimmed, translated);
    }
  }

  function translate(root) {
    if (root.nodeType === 3) { translateText(root); return; }
    if (root.nodeType !== 1) { return; }
    translateAttributes(root);
    var elements = root.querySelectorAll("[aria-label], [title], [placeholder]");
    for (var i = 0; i < elements.length; i++) { translateAttributes(elements[i]); }
    if (!root.closest(CHROME) && !root.querySelector(CHROME)) { return; }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) { translateText(node); }
  }

  function start() {
    translate(document.body);
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var record = records[i];
        if (record.type === "attributes") {
          translateAttributes(record.target);
        } else if (record.type === "characterData") {
          translateText(record.target);
        } else {
          for (var k = 0; k < record.addedNodes.length; k++) { translate(record.addedNodes[k]); }
        }
      }
    }).observe(document.body, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ATTRIBUTES
    });
  }

  if (window.requestIdleCallback) {
    window.requestIdleCallback(start, { timeout: 3000 });
  } else {
    window.setTimeout(start, 1000);
  }
})();
