"""End to end, in a real headless Chromium: the map page with the demo data, offline.

Starts the app on 127.0.0.1, waits for drawn polygons and markers, checks that no request left
the machine, changes a filter and sees the key figures and the map change, opens the shared URL
in a fresh browser context and gets the same view, and saves screenshots under test-artifacts/.
A click on another page as the map reports its drawing opens that page.
Skips without a browser on a developer's machine; fails in CI (``CI=true``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import ARTIFACTS, FOLIUM_FRAME, is_local, wait_for_map, wait_until_idle

pytestmark = pytest.mark.browser


def _open(browser, url: str, remote: list[str], height: int = 1100, width: int = 1400):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    context.on("request", lambda r: None if is_local(r.url) else remote.append(r.url))
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    return context, page


def _initiatives_figure(page) -> str:
    figure = page.locator(".te-kf").filter(has_text="Initiatives").first
    return figure.locator(".te-kf-v").inner_text(timeout=60_000)


def _wait_changed(page, old: str, timeout_ms: int = 60_000) -> str:
    step = 200
    for _ in range(timeout_ms // step):
        value = _initiatives_figure(page)
        if value != old:
            return value
        page.wait_for_timeout(step)
    raise AssertionError(f"the key figure stayed at {old}")


POPUPS_JS = """
() => {
  // a point's popup, built by the runtime when it opens
  const marker = window.map._territoiresPoints.marker(0);
  const box = document.createElement("div");
  box.innerHTML = marker.getPopup()._content(marker);
  const real = [box.querySelector("h4").textContent, box.querySelectorAll("dt").length];
  // user text is escaped by the runtime's own builder
  box.innerHTML = window.TerritoiresMap.popupHtml(
    ["Porteur", "Montant"], ["<script>alert('x')</script>", "A & <b>B</b>", ""]);
  return {real: real, tags: box.querySelectorAll("script, b").length,
          title: box.querySelector("h4").textContent, items: box.querySelectorAll("dd").length,
          porteur: box.querySelector("dd").textContent};
}
"""


def _check_popups(page) -> None:
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    popups = frame.evaluate(POPUPS_JS)
    assert popups["real"][0] and popups["real"][1] >= 3  # a title and its known fields
    assert popups["tags"] == 0
    assert popups["title"] == "<script>alert('x')</script>"
    assert popups["porteur"] == "A & <b>B</b>" and popups["items"] == 1  # empty fields left out


GROUPS_JS = """
() => {
  // each group of points on screen: its count, and the share of each colour in its ring
  const rows = [];
  for (const group of window.map._territoiresPoints.groupsShown()) {
    const svg = group.marker._icon.querySelector("svg");
    const arcs = [...svg.querySelectorAll("circle[stroke]")];
    const length = 2 * Math.PI * parseFloat(arcs[0].getAttribute("r"));
    const drawn = {};
    for (const arc of arcs) {
      const share = parseFloat(arc.getAttribute("stroke-dasharray")) / length;
      drawn[arc.getAttribute("stroke")] = Math.round(share * group.count);
    }
    rows.push({count: group.count, text: svg.querySelector("text").textContent,
               expected: group.colors, drawn: drawn, label: svg.getAttribute("aria-label")});
  }
  return rows;
}
"""


POINT_ON_SCREEN_JS = """
(index) => new Promise((resolve) => {
  // a point shown on its own (its group zoomed in, or spread), where it sits in the frame
  window.map._territoiresPoints.showPoint(index, (marker) => setTimeout(() => {
    const point = window.map.latLngToContainerPoint(marker.getLatLng());
    const box = window.map.getContainer().getBoundingClientRect();
    resolve({x: box.left + point.x, y: box.top + point.y});
  }, 400));
})
"""


def _check_clicked_popup(page) -> None:
    """A click on a point opens its popup, built in the browser from the compact columns: the
    demo initiative's title, then its known fields in French."""
    import json

    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    spot = frame.evaluate(POINT_ON_SCREEN_JS, 0)
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    popup = frame.locator(".leaflet-popup-content .territoires-popup")
    popup.wait_for(timeout=10_000)
    demo = Path(__file__).resolve().parents[2] / "territoires" / "data" / "demo_initiatives.json"
    titles = {row["titre"] for row in json.loads(demo.read_text(encoding="utf-8"))}
    assert popup.locator("h4").inner_text() in titles
    text = popup.inner_text()
    assert "Porteur :" in text and "Commune :" in text
    amount = next(line for line in text.splitlines() if line.startswith("Montant"))
    assert amount.endswith("\u00a0€") and "." not in amount  # « 141\u202f000\u00a0€ »
    frame.evaluate("() => window.map.closePopup()")


def _check_groups(page) -> None:
    """Each group of points shows its count in a ring split by the themes of its points."""
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    groups = frame.evaluate(GROUPS_JS)
    assert groups, "no group of points on the map"
    for group in groups:
        assert group["text"] == str(group["count"]), group
        assert group["drawn"] == group["expected"], group
        assert group["label"].startswith(f"{group['count']} initiatives — "), group


def _check_legend_folds(page) -> None:
    """The legend folds away and comes back (after a filter change replaced its content)."""
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    content = frame.locator(".territoires-legend .contenu").first
    assert "Nombre d'initiatives" in content.inner_text()
    frame.get_by_role("button", name="Replier la légende").click()
    content.wait_for(state="hidden", timeout=5_000)
    frame.get_by_role("button", name="Afficher la légende").click()
    content.wait_for(state="visible", timeout=5_000)


def test_map_page_offline_filters_and_shared_link(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    remote: list[str] = []
    context, page = _open(browser, f"{app_url}/?perimetre=region:53", remote)
    first = wait_for_map(page, timeout=120)
    assert first["polygons"] > 1000  # Bretagne communes, drawn on the canvas
    assert "Nombre d'initiatives" in first["legend"] and "Bretagne" in first["legend"]
    before = _initiatives_figure(page)
    page.screenshot(path=str(ARTIFACTS / "e2e-carte.png"))
    _check_popups(page)
    _check_groups(page)

    # a filter changes both the key figures and the map
    page.get_by_text("Co-financées uniquement").click()
    after = _wait_changed(page, before)
    changed = wait_for_map(page, different_from=first["signature"])
    assert int(after.replace("\u202f", "")) < int(before.replace("\u202f", ""))
    page.wait_for_function("() => window.location.search.includes('cofinancees=1')")
    _check_legend_folds(page)
    shared = page.url
    assert "perimetre=region%3A53" in shared or "perimetre=region:53" in shared

    # the shared link, in a new session, gives the same view; on a laptop's 1000 pixels, the
    # banner, title and key figures leave room for the whole map
    other_context, other = _open(browser, shared, remote, height=1000)
    same = wait_for_map(other, timeout=120)
    box = other.locator(f'iframe[title^="{FOLIUM_FRAME}"]').bounding_box()
    assert box["y"] + box["height"] <= 1000, box
    assert _initiatives_figure(other) == after
    assert same["signature"] == changed["signature"]
    # the map is drawn first; the filters follow, and show the shared one ticked
    cofunded = other.get_by_role("checkbox", name="Co-financées uniquement")
    cofunded.wait_for(state="attached", timeout=60_000)
    assert cofunded.is_checked()
    assert other.get_by_text("Co-financées uniquement").is_visible()
    other.screenshot(path=str(ARTIFACTS / "e2e-carte-lien-partage.png"))
    _check_clicked_popup(other)

    assert remote == [], f"requests left the machine: {remote[:5]}"
    other_context.close()
    context.close()


# A point inside a territory without initiatives (no cluster marker on top of it).
CLICK_POINT_JS = """
() => {
  const choropleth = window.map._territoiresChoropleth;
  const size = window.map.getSize();
  for (const feature of choropleth.features) {
    if (feature.properties.k !== 0) { continue; }
    const rings = choropleth.latLngsOf(feature);
    const bounds = L.latLngBounds(rings[0]);
    const center = bounds.getCenter();
    const point = window.map.latLngToContainerPoint(center);
    const visible = point.x > 20 && point.y > 20 && point.x < size.x - 300 && point.y < size.y - 20;
    // the hit test must find this very territory at its centre (not a neighbour or a hole)
    const found = choropleth.featureAt(center);
    if (visible && found === feature) {
      return {x: point.x, y: point.y, nom: feature.properties.nom, code: feature.properties.code};
    }
  }
  return null;
}
"""


FOUND_JS = """
() => {
  // the map centred on the territory found, outlined, with its name and value
  const map = window.map, layer = map._territoiresChoropleth;
  const found = layer.featureAt(map.getCenter());
  const popup = map._popup && map._popup.isOpen() ? map._popup._contentNode : null;
  let outlines = 0;  // the search's outlines on the map
  map.eachLayer((l) => {
    if (l instanceof L.Polygon && l.options.color === "#d81b60") { outlines++; }
  });
  return {popup: popup ? popup.textContent : "", outlined: outlines,
          centred: !!found && found.properties.nom === "Quimper"};
}
"""


def test_clicking_a_territory_offers_its_fiche_and_export_is_offline(browser, app_url):
    remote: list[str] = []
    # tall enough that the map needs no scrolling: a click then lands where it is aimed
    url = f"{app_url}/?perimetre=departement:29&niveau=commune"
    context, page = _open(browser, url, remote, height=1500)
    wait_for_map(page, timeout=120)
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    point = frame.evaluate(CLICK_POINT_JS)
    container = frame.locator(".leaflet-container").first
    container.click(position={"x": point["x"], "y": point["y"]})
    link = page.get_by_text(f"Fiche territoire : {point['nom']}")
    link.wait_for(timeout=60_000)
    href = link.locator("xpath=ancestor-or-self::a").get_attribute("href")
    assert "niveau=commune" in href and f"code={point['code']}" in href

    # the search box finds a territory by a few letters, shows it and offers its fiche
    # folded to a magnifier until used
    search = frame.get_by_role("searchbox", name="Chercher un territoire sur la carte")
    assert not search.is_visible()
    frame.get_by_role("button", name="Chercher un territoire", exact=True).click()
    search.fill("quimp")
    choices = frame.get_by_role("option")
    choices.first.wait_for(timeout=10_000)
    assert choices.all_inner_texts()[:2] == ["Quimper (29)", "Quimperlé (29)"]
    search.press("Enter")
    shown = frame.evaluate(FOUND_JS)
    assert shown["popup"].startswith("Quimper") and shown["outlined"] and shown["centred"], shown
    page.get_by_text("Fiche territoire : Quimper").wait_for(timeout=60_000)
    # a second search replaces the first one's popup and outline
    search.fill("brest")
    choices.first.wait_for(timeout=10_000)
    search.press("Enter")
    again = frame.evaluate(FOUND_JS)
    assert again["popup"].startswith("Brest") and again["outlined"] == 1, again

    page.get_by_text("Exporter", exact=True).click()
    export = page.get_by_text("Carte interactive hors ligne (HTML)")
    export.wait_for(timeout=60_000)
    wait_until_idle(page)  # the map's click on Brest and the menu's opening have each run
    with page.expect_download(timeout=60_000) as download:
        export.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "TerritoiresMap.choropleth" in exported and "Leaflet 1.9.4" in exported
    assert "<script src=" not in exported and '<link rel="stylesheet" href=' not in exported
    assert remote == [], f"requests left the machine: {remote[:5]}"
    context.close()


FIT_JS = """
() => {
  // the scope fits in the map, left of the legend
  const map = window.map, fit = map._territoiresFit;
  const scope = L.latLngBounds(fit.bounds);
  const east = map.latLngToContainerPoint(scope.getNorthEast()).x;
  const box = map._territoiresLegend.getContainer();
  const legend = box.getBoundingClientRect();
  // the whole legend shows, inside the map, with no scrolling
  const whole = legend.top >= 0 && box.scrollHeight <= box.clientHeight + 1;
  return {inside: map.getBounds().contains(scope), east: east, legend: legend.left,
          height: map.getSize().y, whole: whole};
}
"""


def test_presentation_mode_fits_a_projector_screen(browser, app_url):
    """On a 1280 × 720 projector, the title, the filters' line, figures, map, legend and step
    buttons show without scrolling, the scope fits in the map, left of its legend, and the
    whole legend shows. The keyboard's arrows go to the next and previous territories."""
    remote: list[str] = []
    # with filters: the room reads what the figures count, on a line under the title
    url = f"{app_url}/?presentation=1&perimetre=region:53&themes=prendre-soin&annee_min=2021"
    context, page = _open(browser, url, remote, height=720, width=1280)
    wait_for_map(page, timeout=120)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    chosen = page.locator(".te-filtres")
    assert chosen.inner_text() == (
        "Initiatives retenues : thème Prendre soin · années à partir de 2021"
    )
    leave = page.get_by_text("Quitter la présentation")
    leave.wait_for(timeout=60_000)
    assert leave.bounding_box()["y"] + leave.bounding_box()["height"] <= 720
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    for _ in range(100):  # the frame takes its height, then the map is fitted again
        fit = frame.evaluate(FIT_JS)
        if fit["inside"]:
            break
        page.wait_for_timeout(100)
    assert fit["inside"], fit
    assert fit["east"] <= fit["legend"], fit
    assert fit["height"] >= 340, fit
    assert fit["whole"], fit
    page.screenshot(path=str(ARTIFACTS / "e2e-presentation.png"))

    # the keyboard's arrows step through the territories, as the buttons do
    title = page.locator("h1").first
    # the title goes from one territory to the next, never through a bare « Carte des
    # initiatives » (seen, it would blink on the screen at each step)
    page.evaluate("""() => {
      window.titles = [];
      new MutationObserver(() => {
        const h1 = document.querySelector('h1');
        if (h1) { window.titles.push(h1.innerText); }
      }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")
    changed = "(before) => document.querySelector('h1').innerText !== before"
    bretagne = title.inner_text()
    assert bretagne.endswith("— Bretagne"), bretagne
    page.keyboard.press("ArrowRight")  # Bretagne is not a step: the first one comes next
    page.wait_for_function(changed, arg=bretagne)
    first_step = title.inner_text()
    assert first_step.startswith("Carte des initiatives — "), first_step
    page.wait_for_function("() => window.location.search.includes('perimetre=territoire')")
    page.keyboard.press("ArrowLeft")  # before the first step, the last one
    page.wait_for_function(changed, arg=first_step)
    last_step = title.inner_text()
    assert last_step.startswith("Carte des initiatives — ") and last_step != bretagne, last_step
    titles = page.evaluate("() => window.titles")
    assert titles and all(t.startswith("Carte des initiatives — ") for t in titles), titles
    assert remote == [], f"requests left the machine: {remote[:5]}"
    context.close()


ROW_LEGEND_JS = """
() => {
  // the legend's layout, the scope's southern edge and the legend's top, in map pixels
  const map = window.map, box = map._territoiresLegend.getContainer();
  const scope = L.latLngBounds(map._territoiresFit.bounds);
  const top = box.getBoundingClientRect().top - map.getContainer().getBoundingClientRect().top;
  return {row: box.classList.contains("en-ligne"), blocks: box.querySelectorAll(".bloc").length,
          inside: map.getBounds().contains(scope), top: top,
          south: map.latLngToContainerPoint(scope.getSouthWest()).y};
}
"""


@pytest.mark.parametrize(
    ("scope", "width", "height", "row"),
    [
        ("territoire:centre-bretagne-elargi&niveau=commune", 1280, 1000, True),
        ("region:53", 1024, 1500, None),
    ],
)
def test_legend_goes_under_a_scope_wider_than_the_map(browser, app_url, scope, width, height, row):
    """The scope is fitted above the legend when that costs less than beside it: on a
    1280-pixel screen, the Centre-Bretagne, wider than the map, above a legend whose two
    sections (classes; initiatives and outline) stand side by side; on a 1024-pixel screen,
    whose map is taller than wide, Bretagne above the legend (side by side or in a column:
    which one fits depends on the width of the machine's fallback font, as the map's frame
    does not load the page's web font). The legend hides none of the scope."""
    remote: list[str] = []
    context, page = _open(
        browser, f"{app_url}/?perimetre={scope}", remote, height=height, width=width
    )
    wait_for_map(page, timeout=120)
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    for _ in range(100):  # the legend's content comes with the map's values
        fit = frame.evaluate(ROW_LEGEND_JS)
        if fit["inside"] and fit["south"] <= fit["top"]:
            break
        page.wait_for_timeout(100)
    assert fit["blocks"] == 2 and fit["row"] == (fit["row"] if row is None else row), fit
    assert fit["inside"] and fit["south"] <= fit["top"], fit
    assert remote == [], f"requests left the machine: {remote[:5]}"
    context.close()


BESIDE_LEGEND_JS = """
() => {
  // the scope's eastern edge and the legend's left side, in map pixels; the legend's text
  const map = window.map, box = map._territoiresLegend.getContainer();
  const scope = L.latLngBounds(map._territoiresFit.bounds);
  const left = box.getBoundingClientRect().left - map.getContainer().getBoundingClientRect().left;
  return {inside: map.getBounds().contains(scope), left: left, text: box.textContent,
          east: map.latLngToContainerPoint(scope.getNorthEast()).x};
}
"""


def test_fiche_legend_stands_beside_a_wide_region(browser, app_url):
    """On the fiche of Bretagne (a map 940 × 520 pixels, as wide as the region), the one
    legend, which includes the uncovered communes, stands to the right of the whole region:
    the room it needs is its measured width, not the widest a legend can be."""
    remote: list[str] = []
    context, page = _open(browser, f"{app_url}/fiche?niveau=region&code=53", remote)
    wait_for_map(page, timeout=120)
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    fit = frame.evaluate(BESIDE_LEGEND_JS)
    assert "Non couverte" in fit["text"] and "Nombre d'initiatives" in fit["text"], fit
    assert fit["inside"] and fit["east"] <= fit["left"], fit
    assert remote == [], f"requests left the machine: {remote[:5]}"
    context.close()


LEAVE_AND_REPORT_JS = """
() => {
  // a click on another page's link, and the map's report of its first drawing just after it
  const link = [...window.parent.document.querySelectorAll('[data-testid="stSidebarNav"] a')]
    .find((a) => a.textContent.includes("Méthodologie et sources"));
  link.click();
  window.map._territoiresChoropleth._announce();
}
"""


def test_a_click_on_another_page_is_not_undone_by_the_map(browser, app_url):
    """The map reports its first drawing as its value, and Streamlit reruns the last page asked
    for: a report sent just after a click on another page's link would bring « Carte » back.

    The geometry is held so that the map has not reported yet; the click and the report are
    then made in one go, from the map's frame.
    """
    remote: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="fr-FR")
    context.on("request", lambda r: None if is_local(r.url) else remote.append(r.url))
    held: list = []
    context.route("**/*.geometrie/*.json", lambda route: held.append(route))
    page = context.new_page()
    page.goto(f"{app_url}/?perimetre=departement:29&niveau=commune", wait_until="commit")
    for _ in range(600):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the map did not ask for its geometry"
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    frame.evaluate(LEAVE_AND_REPORT_JS)
    heading = page.get_by_role("heading", name="Méthodologie et sources")
    heading.wait_for(timeout=20_000)
    page.wait_for_timeout(2500)  # longer than the report's wait (NAVIGATION_GRACE), then a run
    assert heading.is_visible()
    assert page.url.split("?")[0].endswith("/methodologie")
    assert remote == [], f"requests left the machine: {remote[:5]}"
    context.close()


def test_a_basemap_that_cannot_load_says_so_on_the_map(browser, app_url):
    """A shared link with a tile basemap, opened without network (a meeting room without
    Wi-Fi): the territories are drawn and the map says why its background is bare."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="fr-FR")
    asked: list[str] = []

    def no_network(route) -> None:  # the same offline, whatever the machine running the test
        asked.append(route.request.url)
        route.abort("internetdisconnected")

    context.route("https://tile.openstreetmap.org/**", no_network)
    page = context.new_page()
    page.goto(f"{app_url}/?perimetre=departement:29&fond=osm", wait_until="domcontentloaded")
    wait_for_map(page, timeout=120)
    frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
    notice = frame.locator(".territoires-avis")
    notice.wait_for(timeout=30_000)
    assert asked, "the basemap asked for no tile"
    assert notice.inner_text() == "Fond de carte indisponible (pas de connexion)"
    assert notice.get_attribute("role") == "status"  # read out by a screen reader
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte-fond-indisponible.png"))
    context.close()


FIGURES_JS = """
() => [...document.querySelectorAll('.te-kf-l, .te-kf-v')].map((e) => {
  // each label and value, and whether any of it is cut: clipped by its own box (a pixel is
  // the rounding of a glyph), out of its card, or out of the window
  const box = e.getBoundingClientRect(), card = e.parentElement.getBoundingClientRect();
  const style = getComputedStyle(e);
  const clipped = (style.overflowX !== "visible" && e.scrollWidth > e.clientWidth + 1)
    || (style.overflowY !== "visible" && e.scrollHeight > e.clientHeight + 1)
    || style.textOverflow === "ellipsis" && e.scrollWidth > e.clientWidth;
  const out = box.left < card.left || box.right > card.right || box.bottom > card.bottom;
  return {text: e.textContent, cut: clipped || out || card.right > window.innerWidth};
})
"""


@pytest.mark.parametrize(
    ("query", "width", "height"), [("", 1280, 800), ("presentation=1", 1280, 720)]
)
def test_key_figures_are_read_in_full(browser, app_url, query, width, height):
    """France's key figures carry the longest labels (« Habitants 2023 ; Mayotte : 2017 »,
    « Ruraux touchés (approximation) »): on a laptop and on a projector, none is cut."""
    remote: list[str] = []
    context, page = _open(browser, f"{app_url}/?{query}", remote, height=height, width=width)
    page.locator(".te-kf").first.wait_for(timeout=120_000)
    figures = page.evaluate(FIGURES_JS)
    texts = [f["text"] for f in figures]
    assert any("Mayotte" in t for t in texts) and any("(approximation)" in t for t in texts)
    assert [f["text"] for f in figures if f["cut"]] == [], figures
    context.close()


METRIC_LABELS_JS = """
() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')].map((label) => {
  // a metric's label and whether any element in it cuts its text
  const cut = [label, ...label.querySelectorAll("*")].some((e) => {
    const style = getComputedStyle(e);
    return (style.textOverflow === "ellipsis" && e.scrollWidth > e.clientWidth)
      || (style.overflowX !== "visible" && e.scrollWidth > e.clientWidth + 1)
      || (style.overflowY !== "visible" && e.scrollHeight > e.clientHeight + 1);
  });
  return {text: label.textContent, cut};
})
"""


def test_coverage_key_figures_are_read_in_full(browser, app_url):
    """Couverture's key figures (st.metric) carry long labels (« Territoires signalés (20 % les
    moins couverts) »): at 1280 pixels, they wrap instead of ending in « … »."""
    remote: list[str] = []
    context, page = _open(browser, f"{app_url}/couverture", remote, height=800, width=1280)
    page.locator('[data-testid="stMetricLabel"]').first.wait_for(timeout=120_000)
    # measured once the page's stylesheet reached the labels (a loaded machine may draw them
    # a frame before): if it never does, the wait fails
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
            .every((label) => getComputedStyle(label).whiteSpace === "normal")""",
        timeout=30_000,
    )
    labels = page.evaluate(METRIC_LABELS_JS)
    assert any("les moins couverts" in label["text"] for label in labels), labels
    assert [label["text"] for label in labels if label["cut"]] == [], labels
    context.close()


EVIL_TITLE = '<img src=x onerror="window.pwned=1"> & « Atelier »'
EVIL_PORTEUR = "<b>Association</b> & co"

FIND_POINT_JS = """
(title) => {
  // the point whose title is ``title``, and how many points the groups of the view hold
  const layer = window.map._territoiresPoints;
  const level = layer.level(window.map.getZoom());
  let found = -1;
  for (let i = 0; i < layer.length && found < 0; i++) {
    if (window.TerritoiresMap.pointValues(layer.payload, i)[0] === title) { found = i; }
  }
  // each point of a group lies within 40 px of the group's first point (its smallest index)
  const radius = 40 / (256 * 2 ** level.zoom);
  let far = 0;
  for (let g = 0; g < level.x.length; g++) {
    const points = layer.pointsOf(level, g), first = Math.min(...points);
    for (const i of points) {
      const dx = layer.x[i] - layer.x[first], dy = layer.y[i] - layer.y[first];
      if (dx * dx + dy * dy > radius * radius * (1 + 1e-9) || level.group[i] !== g) { far += 1; }
    }
  }
  return {index: found, points: layer.length, grouped: level.starts[level.starts.length - 1],
          far: far, groups: level.x.length, shown: layer.groupsShown().length,
          drawn: performance.getEntriesByName("territoires:points-dessines").length};
}
"""


def _many_points_file(path: Path, rows: int) -> Path:
    """``rows`` initiatives over the demo's communes (a dozen at each one's point); the first
    one's title and porteur are HTML."""
    import json

    demo = Path(__file__).resolve().parents[2] / "territoires" / "data" / "demo_initiatives.json"
    communes = sorted({row["commune_code"] for row in json.loads(demo.read_text("utf-8"))})
    lines = ["titre;code_insee;annee;porteur"]
    for i in range(rows):
        title, porteur = (EVIL_TITLE, EVIL_PORTEUR) if i == 0 else (f"Atelier {i}", f"Asso {i}")
        lines.append(f"{title};{communes[i % len(communes)]};2024;{porteur}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_point_among_5000_opens_its_popup_with_escaped_text(
    browser, tmp_path_factory, geodata_ready
):
    """5,000 initiatives, a dozen at each commune's point: every one is in a group, the groups
    on screen show their rings, and the HTML point, spread out of its group at its commune,
    opens a popup that shows its text as text."""
    from e2e_harness import cli_import, running_app

    data = tmp_path_factory.mktemp("e2e-points")
    with running_app(data) as url:
        cli_import(data, _many_points_file(data / "points.csv", 5000))
        remote: list[str] = []
        context, page = _open(browser, url, remote)
        wait_for_map(page, timeout=120)
        wait_until_idle(page)  # the page's next run (filters) has come
        frame = next(f for f in page.frames if FOLIUM_FRAME in f.url)
        found = frame.evaluate(FIND_POINT_JS, EVIL_TITLE)
        assert found["points"] == found["grouped"] == 5000 and found["index"] >= 0, found
        assert found["groups"] < 1000 and found["shown"] > 0 and found["drawn"] == 1, found
        assert found["far"] == 0, found
        _check_groups(page)
        spot = frame.evaluate(POINT_ON_SCREEN_JS, found["index"])
        box = frame.frame_element().bounding_box()
        page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
        popup = frame.locator(".leaflet-popup-content .territoires-popup")
        popup.wait_for(timeout=10_000)
        assert popup.locator("h4").inner_text() == EVIL_TITLE
        assert "Porteur : " + EVIL_PORTEUR in popup.inner_text()
        assert popup.locator("img, b").count() == 0
        assert frame.evaluate("() => window.pwned === undefined")
        page.screenshot(path=str(ARTIFACTS / "e2e-carte-5000-points.png"))
        assert remote == [], f"requests left the machine: {remote[:5]}"
        context.close()
