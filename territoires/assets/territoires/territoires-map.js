/* Territoires d'engagement: map runtime (no dependency but Leaflet; markercluster optional).
 *
 * Geometry arrives once, compactly encoded (quantised, delta-coded integer rings); values
 * arrive as a class index per feature, and the style is computed here from that index, so
 * there is no per-feature style switch in the page.
 */
(function () {
  "use strict";
  if (window.TerritoiresMap) { return; }

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // geom: list of polygons; polygon: list of rings; ring: [x0, y0, dx1, dy1, ...] integers.
  function decode(geom, scale) {
    var polygons = [];
    for (var p = 0; p < geom.length; p++) {
      var rings = [];
      for (var r = 0; r < geom[p].length; r++) {
        var flat = geom[p][r], x = 0, y = 0, ring = [];
        for (var i = 0; i < flat.length; i += 2) {
          x += flat[i]; y += flat[i + 1];
          ring.push([x / scale, y / scale]);
        }
        if (ring.length > 2) { ring.push(ring[0]); rings.push(ring); }
      }
      if (rings.length) { polygons.push(rings); }
    }
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function features(payload) {
    var list = [];
    for (var i = 0; i < payload.geoms.length; i++) {
      list.push({
        type: "Feature",
        properties: {
          code: payload.codes ? payload.codes[i] : null,
          nom: payload.names ? payload.names[i] : null,
          niveau: payload.level || null,
          k: payload.classes ? payload.classes[i] : null,
          valeur: payload.labels ? payload.labels[i] : null
        },
        geometry: decode(payload.geoms[i], payload.scale)
      });
    }
    return { type: "FeatureCollection", features: list };
  }

  function classStyle(payload) {
    return function (feature) {
      var k = feature.properties.k;
      if (k === null || k === undefined || k < 0) {
        return { fillColor: payload.nodata, fillOpacity: 0.25, color: "#8a8a8a",
                 weight: 0.8, dashArray: "3 3", opacity: 0.9 };
      }
      return { fillColor: payload.colors[k], fillOpacity: payload.opacity || 0.82,
               color: payload.stroke || "#ffffff", weight: payload.weight || 0.6,
               opacity: 0.9, dashArray: null };
    };
  }

  function choropleth(map, payload) {
    var style = classStyle(payload);
    var layer = L.geoJSON(features(payload), {
      style: style,
      onEachFeature: function (feature, sub) {
        var props = feature.properties;
        var text = "<strong>" + escapeHtml(props.nom) + "</strong>";
        if (props.valeur !== null && props.valeur !== undefined) {
          text += "<br>" + escapeHtml(props.valeur);
        }
        sub.bindTooltip(text, { sticky: true, className: "territoires-tooltip" });
        sub.on("mouseover", function () { sub.setStyle({ weight: 2.5, color: "#222222" }); });
        sub.on("mouseout", function () { layer.resetStyle(sub); });
      }
    });
    layer.addTo(map);
    layer.territoiresPayload = payload;
    map._territoiresChoropleth = layer;
    return layer;
  }

  // Values for the geometry already on the map (sent separately, so that a filter change
  // does not rebuild the map): class index and label per code, colours, legend.
  function restyle(group, payload) {
    var map = window.map;
    var layer = map && map._territoiresChoropleth;
    if (!layer) { return null; }
    var base = layer.territoiresPayload;
    var index = {};
    for (var i = 0; i < payload.codes.length; i++) { index[payload.codes[i]] = i; }
    base.colors = payload.colors;
    base.nodata = payload.nodata;
    layer.eachLayer(function (sub) {
      var props = sub.feature.properties;
      var at = index[props.code];
      props.k = at === undefined ? -1 : payload.classes[at];
      props.valeur = at === undefined ? null : payload.labels[at];
      var text = "<strong>" + escapeHtml(props.nom) + "</strong>";
      if (props.valeur !== null && props.valeur !== undefined) {
        text += "<br>" + escapeHtml(props.valeur);
      }
      sub.setTooltipContent(text);
    });
    layer.setStyle(layer.options.style);
    if (map._territoiresLegend && payload.legend !== undefined) {
      map._territoiresLegend.getContainer().innerHTML = payload.legend;
    }
    return layer;
  }

  function shapes(map, payload) {
    var layer = L.geoJSON(features(payload), {
      style: function () { return payload.style; },
      interactive: false
    });
    layer.addTo(map);
    return layer;
  }

  function points(parent, payload) {
    var map = parent instanceof L.Map ? parent : window.map;
    if (map && !map.options.maxZoom) { map.options.maxZoom = 18; }  // markercluster needs it
    var group = (typeof L.markerClusterGroup === "function")
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
                               chunkedLoading: true, spiderfyOnMaxZoom: true })
      : L.featureGroup();
    for (var i = 0; i < payload.points.length; i++) {
      var p = payload.points[i];
      var marker = L.circleMarker([p[0], p[1]], {
        radius: payload.radius || 7, fillColor: payload.colors[p[2]], fillOpacity: 0.95,
        color: "#ffffff", weight: 1.5
      });
      marker.bindPopup(p[3], { maxWidth: 320 });
      group.addLayer(marker);
    }
    group.addTo(parent);
    return group;
  }

  function legend(map, html, position, large) {
    var control = L.control({ position: position || "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "territoires-legend" + (large ? " grande" : ""));
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    map._territoiresLegend = control;
    return control;
  }

  // Fit without animation: an animated zoom started while the iframe is still being laid out
  // can leave paths projected at the old zoom, and clicks then miss them on the canvas.
  function fit(map, bounds) {
    map.fitBounds(bounds, { animate: false });
    return bounds;
  }

  window.TerritoiresMap = {
    escapeHtml: escapeHtml, decode: decode, features: features, choropleth: choropleth,
    shapes: shapes, points: points, legend: legend, fit: fit, restyle: restyle
  };
})();
