"""Local JavaScript and CSS assets: no CDN, ever.

folium links Leaflet, jQuery, Bootstrap and plugins from CDNs by default. Every map built here
replaces those links with the files vendored under ``territoires/assets`` (see its README for
versions and licences), either as URLs under a local base (the Streamlit component that serves
them) or inlined into a standalone HTML file.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import folium

from territoires.errors import ExportError
from territoires.maps.files import content_name, write_once

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class Asset:
    """One vendored file, by its path under ``ASSETS_DIR``."""

    name: str
    path: str
    kind: str  # "js" or "css"


LEAFLET_JS = Asset("leaflet", "leaflet/leaflet.js", "js")
LEAFLET_CSS = Asset("leaflet_css", "leaflet/leaflet.css", "css")
RUNTIME_JS = Asset("territoires_js", "territoires/territoires-map.js", "js")
RUNTIME_CSS = Asset("territoires_css", "territoires/territoires-map.css", "css")

BASE_ASSETS: tuple[Asset, ...] = (LEAFLET_JS, RUNTIME_JS, LEAFLET_CSS, RUNTIME_CSS)

_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#)([^'\")]+)\1\)")


def asset_file(asset: Asset) -> Path:
    """Return the vendored file of an asset (raise ``ExportError`` when it is missing)."""
    path = ASSETS_DIR / asset.path
    if not path.is_file():
        raise ExportError(
            f"Ressource de carte manquante : {asset.path}. Réinstallez l'application."
        )
    return path


def needed_assets() -> tuple[Asset, ...]:
    """The assets a map needs, Leaflet first (the runtime groups the points itself)."""
    return BASE_ASSETS


def link_assets(fmap: folium.Map, assets: tuple[Asset, ...], base_url: str) -> None:
    """Make the map link only local assets, as URLs under ``base_url``.

    folium's CDN links (class attributes) are replaced on the instance, which is what both
    folium's renderer and streamlit-folium read.
    """
    base = base_url.rstrip("/") + "/"
    fmap.default_js = [(a.name, base + a.path) for a in assets if a.kind == "js"]
    fmap.default_css = [(a.name, base + a.path) for a in assets if a.kind == "css"]


def _inline_css(asset: Asset) -> str:
    path = asset_file(asset)
    text = path.read_text(encoding="utf-8")

    def embed(match: re.Match) -> str:
        target = (path.parent / match.group(2)).resolve()
        if not target.is_file() or ASSETS_DIR not in target.parents:
            return "url(data:,)"
        mime = "image/png" if target.suffix == ".png" else "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{data})"

    return _CSS_URL.sub(embed, text)


def inline_assets(fmap: folium.Map, assets: tuple[Asset, ...]) -> None:
    """Embed the assets' contents in the map's HTML header (standalone, offline HTML)."""
    from territoires.maps.layers import RawElement

    fmap.default_js = []
    fmap.default_css = []
    header = fmap.get_root().header
    for asset in assets:
        if asset.kind == "css":
            body = f"<style>{_inline_css(asset)}</style>"
        else:
            source = asset_file(asset).read_text(encoding="utf-8").replace("</script", "<\\/script")
            body = f"<script>{source}</script>"
        header.add_child(RawElement(body), name=f"inline_{asset.name}")


_BUNDLES: dict[tuple[Asset, ...], list[tuple[str, str, str]]] = {}


def bundle_assets(assets: tuple[Asset, ...], directory: Path) -> tuple[Asset, ...]:
    """The assets as one JavaScript and one CSS file in ``directory``, named by their content.

    The map's page then loads two files instead of one per library (each one a round trip
    before the map can start). Scripts keep their order and their licence headers; stylesheet
    images are inlined, as in ``inline_assets``. The returned assets' paths are file names in
    ``directory``, for ``link_assets`` with the URL that serves it.
    """
    files = _BUNDLES.get(assets)
    if files is None:
        js = "\n;\n".join(
            asset_file(a).read_text(encoding="utf-8") for a in assets if a.kind == "js"
        )
        css = "\n".join(_inline_css(a) for a in assets if a.kind == "css")
        files = _BUNDLES[assets] = [
            (kind, content_name("carte", text, kind), text)
            for kind, text in (("js", js), ("css", css))
        ]
    for _kind, name, text in files:
        write_once(directory, name, text)  # again if the folder was emptied meanwhile
    return tuple(Asset(f"territoires_bundle_{kind}", name, kind) for kind, name, _text in files)
