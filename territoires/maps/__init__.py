"""folium maps of initiatives over territories, with local assets only (no CDN)."""
