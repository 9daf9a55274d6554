/* Territoires d'engagement: map runtime (no dependency but Leaflet).
 *
 * Geometry arrives once, compactly encoded (quantised, delta-coded integer rings); values
 * arrive as a class index per feature, and the style is computed here from that index, so
 * there is no per-feature style switch in the page.
 */
(function () {
  "use strict";
  if (window.TerritoiresMap) { return; }
  var DRAWN_MARK = "territoires:carte-dessinee";
  var POINTS_MARK = "territoires:points-dessines";
  var NAVIGATION_GRACE = 1000;  // ms (watchNavigation)

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

  // Properties of the payload's i-th territory (what a click reports, with its class and label).
  function propertiesAt(payload, i) {
    return {
      code: payload.codes ? payload.codes[i] : null,
      nom: payload.names ? payload.names[i] : null,
      niveau: payload.level || null,
      k: payload.classes ? payload.classes[i] : null,
      valeur: payload.labels ? payload.labels[i] : null
    };
  }

  function features(payload) {
    var list = [];
    for (var i = 0; i < payload.geoms.length; i++) {
      list.push({
        type: "Feature",
        properties: propertiesAt(payload, i),
        geometry: decode(payload.geoms[i], payload.scale)
      });
    }
    return { type: "FeatureCollection", features: list };
  }

  // --- the choropleth: one canvas, one path per class ------------------------------------
  //
  // Territories are not Leaflet layers: 35,000 L.Polygon objects cost seconds of projection,
  // garbage collection and one fill per polygon. Rings are kept as Web Mercator coordinates
  // (0..1) in typed arrays, drawn in one path per class (one fill, one stroke), skipping
  // vertices that fall on the same pixel; hovering and clicking find the territory with a grid
  // index and a point-in-polygon test.

  var LN2PI = 2 * Math.PI, MAX_LAT = 85.0511287798;

  function mercX(lng) { return lng / 360 + 0.5; }
  function mercY(lat) {
    var s = Math.sin(Math.max(Math.min(lat, MAX_LAT), -MAX_LAT) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (2 * LN2PI);
  }
  function latOf(y) { return 360 / Math.PI * Math.atan(Math.exp((0.5 - y) * LN2PI)) - 90; }
  function lngOf(x) { return (x - 0.5) * 360; }

  function label(props) {
    var text = "<strong>" + escapeHtml(props.nom) + "</strong>";
    if (props.valeur !== null && props.valeur !== undefined && props.valeur !== "") {
      text += "<br>" + escapeHtml(props.valeur);
    }
    return text;
  }

  function decodeFeatures(payload) {
    var list = [], scale = payload.scale;
    for (var i = 0; i < payload.geoms.length; i++) {
      var rings = [], box = [Infinity, Infinity, -Infinity, -Infinity], geom = payload.geoms[i];
      for (var p = 0; p < geom.length; p++) {
        for (var r = 0; r < geom[p].length; r++) {
          var flat = geom[p][r], n = flat.length / 2, ring = new Float64Array(n * 2), x = 0, y = 0;
          if (n < 3) { continue; }
          for (var j = 0; j < n; j++) {
            x += flat[2 * j]; y += flat[2 * j + 1];
            var mx = mercX(x / scale), my = mercY(y / scale);
            ring[2 * j] = mx; ring[2 * j + 1] = my;
            if (mx < box[0]) { box[0] = mx; } if (mx > box[2]) { box[2] = mx; }
            if (my < box[1]) { box[1] = my; } if (my > box[3]) { box[3] = my; }
          }
          rings.push(ring);
        }
      }
      list.push({
        rings: rings, box: box,
        properties: propertiesAt(payload, i)
      });
    }
    return list;
  }

  function inRings(feature, x, y) {
    var inside = false;
    for (var r = 0; r < feature.rings.length; r++) {
      var ring = feature.rings[r], n = ring.length / 2;
      for (var i = 0, j = n - 1; i < n; j = i++) {
        var xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
    }
    return inside;
  }

  // The map's default renderer: territories first (rendered once per view into an offscreen
  // canvas), then Leaflet's own vector layers (outline, rural zones, initiative points).
  var ChoroplethCanvas = L.Canvas.extend({
    initialize: function (payload) {
      L.Canvas.prototype.initialize.call(this, { padding: 0.1 });
      this.payload = payload;
      this.features = payload.geoms ? decodeFeatures(payload) : [];
      this._ready = !payload.url;  // the geometry is here (else it comes from payload.url)
      this.drawnCount = 0;
      this._hover = null;
      this._stale = true;
    },

    onAdd: function (map) {
      L.Canvas.prototype.onAdd.call(this, map);
      this._container.classList.add("territoires-choropleth");
      this._tooltip = L.tooltip({ sticky: true, className: "territoires-tooltip",
                                  direction: "top", offset: [0, -8] });
      this._highlighter = L.svg({ padding: 0.1 });
      this._schedule();
    },

    onRemove: function () {
      this._clearHover();
      L.Canvas.prototype.onRemove.call(this);
    },

    // Leaflet calls this after every move or zoom: render the territories again, once, at the
    // next frame (the initial fit and the first view then cost a single render).
    _updatePaths: function () {
      this._stale = true;
      this._schedule();
    },

    _schedule: function () {
      if (this._frame) { return; }
      var self = this;
      this._frame = L.Util.requestAnimFrame(function () {
        self._frame = null;
        if (!self._map) { return; }
        if (self._stale) {
          for (var id in self._layers) { self._layers[id]._update(); }
          self._renderFeatures();
        }
        self._redraw();
        if (self._ready && !self._announced) {
          self._announced = true;
          // a User Timing mark: the benchmark reads when the territories were first drawn
          if (window.performance && performance.mark) { performance.mark(DRAWN_MARK); }
          if (self.payload.announce) { self._announce(); }
          self._flushAfterDraw();  // once this frame is on screen
        }
      });
    },

    // Run what waited for the first drawing (``afterTerritories``), after the current frame.
    _flushAfterDraw: function () {
      var waiting = this._afterDraw || [];
      this._afterDraw = null;
      this._announced = true;
      if (waiting.length) {
        setTimeout(function () { waiting.forEach(function (task) { task(); }); }, 0);
      }
    },

    // Tell the page the map is drawn (it then adds its filters and controls): the map's value
    // becomes a "click" on a feature with no territory code. It is posted to the page at once,
    // as Streamlit's component protocol does; streamlit-folium's own channel waits 250 ms,
    // during which a click on another page's link would be overridden by this report's rerun.
    _announce: function () {
      var self = this, navigation = this._navigation;
      if (navigation && Date.now() - navigation.at < NAVIGATION_GRACE) {
        setTimeout(function () { self._announce(); }, NAVIGATION_GRACE);
        return;
      }
      var feature = { type: "Feature", properties: { pret: true }, geometry: null };
      if (window.parent && window.parent !== window) {
        window.parent.postMessage({
          isStreamlitMessage: true,
          type: "streamlit:setComponentValue",
          value: { last_active_drawing: feature },
          dataType: "json"
        }, "*");
      } else {
        this._fireFeature(feature, {});
      }
    },

    // A "click" on this layer whose event.layer.toGeoJSON() gives ``feature``.
    _fireFeature: function (feature, data) {
      data.layer = { feature: feature, toGeoJSON: function () { return feature; } };
      this.fire("click", data);
    },

    // Territories under Leaflet's own layers. The first drawing of a view paints the class
    // paths straight onto the map's canvas; a snapshot of them, made just after, then serves
    // the redraws that only Leaflet's layers need (points arriving, clusters changing).
    _redraw: function () {
      this._redrawRequest = null;
      this._redrawBounds = null;
      if (!this._map || !this._bounds || this._stale) { return; }
      var ctx = this._ctx, b = this._bounds, size = b.getSize();
      ctx.clearRect(b.min.x, b.min.y, size.x, size.y);
      var snapshot = this._snapshot;
      if (snapshot && snapshot.width === this._container.width &&
          snapshot.height === this._container.height) {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(snapshot, 0, 0);
        ctx.restore();
      } else if (this._paths) {
        this._paint(ctx);
        this._takeSnapshot();
      }
      L.Canvas.prototype._draw.call(this);
    },

    _paint: function (ctx) {
      for (var i = 0; i < this._paths.length; i++) {
        var item = this._paths[i], style = item.style;
        ctx.globalAlpha = style.fillOpacity;
        ctx.fillStyle = style.fill;
        ctx.fill(item.path, "evenodd");
        if (item.stroke) {
          ctx.globalAlpha = 0.9;
          ctx.strokeStyle = style.stroke;
          ctx.lineWidth = style.weight;
          ctx.lineJoin = "round";
          ctx.setLineDash(style.dash);
          ctx.stroke(item.path);
        }
      }
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
    },

    // After the current task (off the first drawing's path): paint the class paths once more,
    // into an offscreen canvas of the map canvas's size and transform.
    _takeSnapshot: function () {
      var self = this, paths = this._paths;
      if (this._snapshotTimer) { clearTimeout(this._snapshotTimer); }
      this._snapshotTimer = setTimeout(function () {
        self._snapshotTimer = null;
        if (!self._map || self._paths !== paths) { return; }
        var b = self._bounds, ratio = self._container.width / Math.max(1, b.getSize().x);
        var off = document.createElement("canvas");
        off.width = self._container.width;
        off.height = self._container.height;
        var ctx = off.getContext("2d");
        ctx.setTransform(ratio, 0, 0, ratio, -b.min.x * ratio, -b.min.y * ratio);
        self._paint(ctx);
        self._snapshot = off;
      }, 0);
    },

    _style: function (k) {
      var p = this.payload;
      if (k === null || k === undefined || k < 0) {
        return { fill: p.nodata, fillOpacity: 0.25, stroke: "#8a8a8a", weight: 0.8, dash: [3, 3] };
      }
      return { fill: p.colors[k], fillOpacity: p.opacity || 0.82, stroke: p.stroke || "#ffffff",
               weight: p.weight || 0.6, dash: [] };
    },

    // Build the class paths of the territories in view (drawn by ``_redraw``).
    _renderFeatures: function () {
      var map = this._map, b = this._bounds;
      var zoomScale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var ox = origin.x, oy = origin.y;
      var x0 = (b.min.x + ox) / zoomScale, y0 = (b.min.y + oy) / zoomScale;
      var x1 = (b.max.x + ox) / zoomScale, y1 = (b.max.y + oy) / zoomScale;
      var groups = {}, order = [], drawn = 0, paths = [];
      // borders only where territories are wide enough to show them: at the national scale
      // communes are a few pixels wide, and white borders would wash their colours out
      var borders = this._typicalSize() * zoomScale >= 8;
      for (var i = 0; i < this.features.length; i++) {
        var f = this.features[i], box = f.box;
        if (box[2] < x0 || box[0] > x1 || box[3] < y0 || box[1] > y1) { continue; }
        var k = f.properties.k;
        var key = (k === null || k === undefined || k < 0) ? -1 : k;
        if (!groups[key]) { groups[key] = []; order.push(key); }
        groups[key].push(f);
        drawn += 1;
      }
      order.sort(function (a, c) { return a - c; });
      for (var g = 0; g < order.length; g++) {
        var style = this._style(order[g]), members = groups[order[g]];
        // one SVG path string per class: a single native call, where one lineTo per vertex
        // costs seconds for all communes; pixels rounded as Leaflet does, repeated ones dropped
        var parts = [];
        for (var m = 0; m < members.length; m++) {
          var rings = members[m].rings;
          for (var r = 0; r < rings.length; r++) {
            var ring = rings[r], n = ring.length / 2;
            var px = Math.round(ring[0] * zoomScale - ox), py = Math.round(ring[1] * zoomScale - oy);
            parts.push("M" + px + " " + py);
            for (var j = 1; j < n; j++) {
              var qx = Math.round(ring[2 * j] * zoomScale - ox);
              var qy = Math.round(ring[2 * j + 1] * zoomScale - oy);
              if (qx !== px || qy !== py) { parts.push("L" + qx + " " + qy); px = qx; py = qy; }
            }
            parts.push("Z");
          }
        }
        paths.push({ path: new Path2D(parts.join("")), style: style,
                     stroke: borders || order[g] < 0 });
      }
      this._paths = paths;
      this._snapshot = null;
      this.drawnCount = drawn;
      this._stale = false;
    },

    // Clicks: Leaflet's own layers first (initiative points), else the territory under the
    // pointer. streamlit-folium listens to "click" on every layer of the map and reads
    // event.layer.toGeoJSON(): a click on a territory gives its code, level and name.
    _onClick: function (e) {
      var point = this._map.mouseEventToLayerPoint(e), hit = null;
      for (var order = this._drawFirst; order; order = order.next) {
        var layer = order.layer;
        if (layer.options.interactive && layer._containsPoint(point)) {
          if (!(e.type === "click" || e.type === "preclick") || !this._map._draggableMoved(layer)) {
            hit = layer;
          }
        }
      }
      if (hit) { this._fireEvent([hit], e); return; }
      if (e.type === "click") {
        var latlng = this._map.mouseEventToLatLng(e), f = this.featureAt(latlng);
        if (f) { this._fireFeature(this.toGeoJSONOf(f), { latlng: latlng, originalEvent: e }); }
      }
      this._fireEvent(false, e);
    },

    _onMouseMove: function (e) {
      L.Canvas.prototype._onMouseMove.call(this, e);
      if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
      this._hoverAt(this._map.mouseEventToLatLng(e));
    },

    _handleMouseOut: function (e) {
      L.Canvas.prototype._handleMouseOut.call(this, e);
      this._clearHover();
    },

    _hoverAt: function (latlng) {
      var map = this._map, f = this._hoveredLayer ? null : this.featureAt(latlng);
      if (f !== this._hover) {
        if (this._outline) { map.removeLayer(this._outline); this._outline = null; }
        this._hover = f;
        if (f) {
          this._outline = L.polygon(this.latLngsOf(f), { color: "#222222", weight: 2.5,
            fill: false, interactive: false, renderer: this._highlighter }).addTo(map);
          this._tooltip.setContent(label(f.properties));
        }
      }
      if (f) {
        this._tooltip.setLatLng(latlng);
        if (!map.hasLayer(this._tooltip)) { map.openTooltip(this._tooltip); }
      } else if (map.hasLayer(this._tooltip)) {
        map.closeTooltip(this._tooltip);
      }
    },

    // median width of the territories, in Web Mercator units (0..1)
    _typicalSize: function () {
      if (this._typical === undefined || this._typicalOf !== this.features) {
        var widths = this.features.map(function (f) { return f.box[2] - f.box[0]; });
        widths.sort(function (a, b) { return a - b; });
        this._typical = widths.length ? widths[Math.floor(widths.length / 2)] : 0;
        this._typicalOf = this.features;
      }
      return this._typical;
    },

    // grid of feature boxes, built on the first hover or click
    _index: function () {
      if (this._grid) { return this._grid; }
      var all = [Infinity, Infinity, -Infinity, -Infinity], fs = this.features, i;
      for (i = 0; i < fs.length; i++) {
        var box = fs[i].box;
        all = [Math.min(all[0], box[0]), Math.min(all[1], box[1]),
               Math.max(all[2], box[2]), Math.max(all[3], box[3])];
      }
      var n = Math.max(1, Math.min(256, Math.ceil(Math.sqrt(fs.length)))), cells = [];
      var w = (all[2] - all[0]) / n || 1e-9, h = (all[3] - all[1]) / n || 1e-9;
      for (i = 0; i < fs.length; i++) {
        var bx = fs[i].box;
        var ca = Math.floor((bx[0] - all[0]) / w), cb = Math.min(n - 1, Math.floor((bx[2] - all[0]) / w));
        var ra = Math.floor((bx[1] - all[1]) / h), rb = Math.min(n - 1, Math.floor((bx[3] - all[1]) / h));
        for (var c = ca; c <= cb; c++) {
          for (var r = ra; r <= rb; r++) { (cells[r * n + c] = cells[r * n + c] || []).push(i); }
        }
      }
      this._grid = { all: all, n: n, w: w, h: h, cells: cells };
      return this._grid;
    },

    // The feature under a point, or null.
    featureAt: function (latlng) {
      var x = mercX(latlng.lng), y = mercY(latlng.lat), grid = this._index();
      var c = Math.floor((x - grid.all[0]) / grid.w), r = Math.floor((y - grid.all[1]) / grid.h);
      if (c < 0 || r < 0 || c >= grid.n || r >= grid.n) { return null; }
      var list = grid.cells[r * grid.n + c] || [];
      for (var i = list.length - 1; i >= 0; i--) {
        var f = this.features[list[i]], box = f.box;
        if (x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3] && inRings(f, x, y)) {
          return f;
        }
      }
      return null;
    },

    latLngsOf: function (feature) {
      return feature.rings.map(function (ring) {
        var out = [];
        for (var j = 0; j < ring.length; j += 2) { out.push([latOf(ring[j + 1]), lngOf(ring[j])]); }
        return out;
      });
    },

    toGeoJSONOf: function (feature) {
      return { type: "Feature", properties: feature.properties, geometry: null };
    },

    _clearHover: function () {
      if (this._outline && this._map) { this._map.removeLayer(this._outline); }
      this._outline = null;
      if (this._tooltip && this._map && this._map.hasLayer(this._tooltip)) {
        this._map.closeTooltip(this._tooltip);
      }
      this._hover = null;
    },

    // for tests and tools: what is drawn, with its fill colour
    state: function () {
      var self = this;
      return this.features.map(function (f) {
        return { code: f.properties.code, nom: f.properties.nom, k: f.properties.k,
                 fill: self._style(f.properties.k).fill };
      });
    }
  });

  function applyValues(layer, values) {
    var index = {};
    for (var i = 0; i < values.codes.length; i++) { index[values.codes[i]] = i; }
    layer.payload.colors = values.colors;
    layer.payload.nodata = values.nodata;
    for (var j = 0; j < layer.features.length; j++) {
      var props = layer.features[j].properties, at = index[props.code];
      props.k = at === undefined ? -1 : values.classes[at];
      props.valeur = at === undefined ? null : values.labels[at];
    }
  }

  // Streamlit reruns the page last asked for: were the map's report sent just after a click
  // on another page's link, or a step back in the history, it would bring the map back. Such
  // a report waits NAVIGATION_GRACE ms; if the page does change, this frame is gone by then.
  function watchNavigation() {
    var state = { at: 0 };
    var page, onClick, onHistory;
    try {
      page = window.parent;
      if (!page || page === window) { return state; }
      var origin = page.location.origin;
      onClick = function (event) {
        var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
        if (link && new URL(link.href, page.document.baseURI).origin === origin) {
          state.at = Date.now();
        }
      };
      onHistory = function () { state.at = Date.now(); };
      page.document.addEventListener("click", onClick, true);
      page.addEventListener("popstate", onHistory);
      window.addEventListener("pagehide", function () {
        page.document.removeEventListener("click", onClick, true);
        page.removeEventListener("popstate", onHistory);
      });
    } catch (error) {
      // a page of another origin: nothing to watch
    }
    return state;
  }

  // --- finding a territory by name ------------------------------------------------------
  //
  // A search box under the zoom buttons (a magnifier until used): a few letters of a name
  // (accents, case and punctuation ignored) list up to eight territories of the map;
  // choosing one (click, or arrows and Enter) centres the map on it among its neighbours,
  // outlines it, opens its name and value, and reports it to the page as a click would (a
  // link to its fiche).

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  // Territories whose name starts with the query, then those with a word that does.
  function findTerritories(layer, query, limit) {
    var q = fold(query);
    if (!q || !layer || !layer.features) { return []; }
    if (layer._names !== layer.features) {
      layer._folded = layer.features.map(function (f) { return " " + fold(f.properties.nom); });
      layer._names = layer.features;
    }
    var first = [], then = [];
    for (var i = 0; i < layer._folded.length; i++) {
      var at = layer._folded[i].indexOf(" " + q);
      if (at === 0) { first.push(i); } else if (at > 0) { then.push(i); }
    }
    var byLength = function (a, b) { return layer._folded[a].length - layer._folded[b].length; };
    first.sort(byLength);
    then.sort(byLength);
    return first.concat(then).slice(0, limit).map(function (i) { return layer.features[i]; });
  }

  // A commune's name with its département (« Saint-Martin (05) »), for namesakes.
  function choiceText(feature) {
    var props = feature.properties, code = String(props.code || "");
    if (props.niveau !== "commune" || !code) { return props.nom; }
    return props.nom + " (" + code.slice(0, code.indexOf("97") === 0 ? 3 : 2) + ")";
  }

  function showTerritory(map, layer, feature) {
    var box = feature.box;
    var bounds = L.latLngBounds([latOf(box[3]), lngOf(box[0])], [latOf(box[1]), lngOf(box[2])]);
    map._territoiresByHand = true;  // a projector's resize no longer refits the scope
    // one zoom level out from a tight fit: the territory among its neighbours
    var zoom = Math.min(11, map.getBoundsZoom(bounds, false, L.point(40, 40)) - 1);
    map.setView(bounds.getCenter(), Math.max(zoom, map.getMinZoom()), { animate: false });
    var outline = L.polygon(layer.latLngsOf(feature), { color: "#d81b60", weight: 3,
      fill: false, interactive: false, renderer: layer._highlighter });
    // the popup stands on the territory's northern edge, leaving its shape in sight; the
    // outline goes with it (a previous search's popup closes here, and takes its own outline)
    var popup = L.popup({ autoPan: false })
      .setLatLng([bounds.getNorth(), bounds.getCenter().lng])
      .setContent(label(feature.properties))
      .on("remove", function () {
        map.removeLayer(outline);
        if (map._territoiresFound === outline) { map._territoiresFound = null; }
      });
    popup.openOn(map);
    map._territoiresFound = outline.addTo(map);
    // as a click on it would: the page then offers the territory's fiche
    layer._fireFeature(layer.toGeoJSONOf(feature), { latlng: bounds.getCenter() });
  }

  function searchControl(map, layer) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      // folded to a magnifier button until used: it hides no territory meanwhile
      var box = L.DomUtil.create("div", "territoires-recherche leaflet-bar repliee");
      var open = L.DomUtil.create("button", "ouvrir", box);
      var input = L.DomUtil.create("input", "", box);
      var list = L.DomUtil.create("ul", "", box);
      var found = [], active = -1;
      open.type = "button";
      open.title = "Chercher un territoire";
      open.setAttribute("aria-label", "Chercher un territoire");
      open.innerHTML = '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">' +
        '<circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2"/>' +
        '<path d="M12.5 12.5 L17 17" stroke="currentColor" stroke-width="2.2" ' +
        'stroke-linecap="round"/></svg>';
      open.addEventListener("click", function () {
        box.classList.remove("repliee");
        input.focus();
      });
      input.type = "search";
      input.placeholder = "Chercher un territoire";
      input.setAttribute("aria-label", "Chercher un territoire sur la carte");
      input.setAttribute("autocomplete", "off");
      list.setAttribute("role", "listbox");
      list.hidden = true;
      function render() {
        list.textContent = "";
        found.forEach(function (feature, i) {
          var item = L.DomUtil.create("li", i === active ? "actif" : "", list);
          item.setAttribute("role", "option");
          item.textContent = choiceText(feature);  // text, never HTML
          item.addEventListener("mousedown", function (event) {
            event.preventDefault();
            pick(i);
          });
        });
        list.hidden = !found.length;
      }
      function pick(i) {
        var feature = found[i];
        if (!feature) { return; }
        input.value = feature.properties.nom;
        found = [];
        active = -1;
        render();
        showTerritory(map, layer, feature);
      }
      input.addEventListener("input", function () {
        found = findTerritories(layer, input.value, 8);
        active = found.length ? 0 : -1;
        render();
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          if (found.length) {
            var step = event.key === "ArrowDown" ? 1 : found.length - 1;
            active = (active + step) % found.length;
            render();
          }
          event.preventDefault();
        } else if (event.key === "Enter") {
          pick(active < 0 ? 0 : active);
          event.preventDefault();
        } else if (event.key === "Escape") {
          found = [];
          render();
        }
      });
      input.addEventListener("blur", function () {
        found = [];
        render();
        if (!input.value) { box.classList.add("repliee"); }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  }

  // Geometry comes inline (standalone HTML export) or as a file named by its content, that
  // the browser may take from its HTTP cache ("force-cache": the name changes with it).
  function choropleth(map, payload) {
    var layer = new ChoroplethCanvas(payload);
    if (payload.announce) { layer._navigation = watchNavigation(); }
    map._renderer = layer;  // outline, rural zones and points are drawn over the territories
    layer.addTo(map);
    map._territoiresChoropleth = layer;
    searchControl(map, layer);
    if (payload.url) {
      fetch(payload.url, { cache: "force-cache" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (geometry) {
          for (var key in geometry) { payload[key] = geometry[key]; }
          layer.features = decodeFeatures(payload);
          layer._ready = true;
          layer._grid = null;
          if (layer._values) { applyValues(layer, layer._values); }
          layer._updatePaths();
        })
        .catch(function () {
          var box = L.DomUtil.create("div", "territoires-erreur", map.getContainer());
          box.textContent = "Les contours n'ont pas pu être chargés. Rechargez la page.";
          if (!layer._announced && layer.payload.announce) { layer._announce(); }
          layer._flushAfterDraw();  // the filters and the points still come
        });
    }
    return layer;
  }

  // Values for the geometry already on the map (sent separately, so that a filter change
  // does not rebuild the map): class index and label per code, colours, legend.
  function restyle(group, payload) {
    var map = window.map;
    var layer = map && map._territoiresChoropleth;
    if (!layer) { return null; }
    layer._values = payload;  // kept for a geometry still on its way
    applyValues(layer, payload);
    layer._updatePaths();
    if (layer._hover) { layer._tooltip.setContent(label(layer._hover.properties)); }
    if (map._territoiresLegend && payload.legend !== undefined) {
      map._territoiresLegend._body.innerHTML = payload.legend;
      // the page's map was fitted around an empty legend: fit it again around this first
      // content (beside or under the scope), unless the view has moved since
      var last = map._territoiresFit;
      if (last && !last.legend && map.getZoom() === last.zoom &&
          map.getCenter().equals(last.center)) {
        fit(map, last.bounds, last.fill);
      }
    }
    return layer;
  }

  // Outlines over the territories (the scope, rural zones): drawn right after them.
  function shapes(map, payload) {
    var layer = L.geoJSON(null, {
      style: function () { return payload.style; },
      interactive: false
    });
    layer.addTo(map);
    afterTerritories(map, function () { layer.addData(features(payload)); });
    return layer;
  }

  // Popup of one initiative: its title, then each known field. Every value is user text,
  // escaped here; the popup is built when it first opens.
  function popupHtml(labels, values) {
    var items = "";
    for (var i = 1; i < values.length; i++) {
      if (values[i]) {
        items += "<div><dt>" + escapeHtml(labels[i - 1]) + " :</dt> <dd>" +
          escapeHtml(values[i]) + "</dd></div>";
      }
    }
    return '<div class="territoires-popup"><h4>' + escapeHtml(values[0]) + "</h4><dl>" +
      items + "</dl></div>";
  }

  // Run ``task`` once the territories are first drawn (at once if they are, or if there are
  // none): the map shows its colours first, and the points follow a frame later.
  function afterTerritories(map, task) {
    var layer = map && map._territoiresChoropleth;
    if (layer && !layer._announced) {
      (layer._afterDraw = layer._afterDraw || []).push(task);
    } else {
      task();
    }
  }

  // A column of a points payload: little-endian integers of ``bytes`` bytes, in base64.
  function unpack(column) {
    var text = atob(column.data), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var Type = { 1: Uint8Array, 2: Uint16Array, 4: Int32Array }[column.bytes];
    return new Type(bytes.buffer);
  }

  // The popup texts of point ``i`` of a decoded points payload (per field, its distinct texts
  // and each point's code), title first.
  function pointValues(payload, i) {
    return payload.values.map(function (texts, field) { return texts[payload.codes[field][i]]; });
  }

  // A group of points: its count on a white disc, in a ring split by the colours of its
  // points (``counts[k]`` points of colour ``k``, in the legend's order, from 12 o'clock), so
  // that the map shows where each theme is before any group is opened. Hovering gives the
  // count per theme.
  function clusterIcon(payload, counts, total) {
    // 32 px for 2 points, 46 for 100 (a quarter more on a projector)
    var scale = payload.scale || 1;
    var size = Math.round(scale * (30 + 8 * Math.log(total) / Math.LN10));
    var half = size / 2, radius = half - 5 * scale;
    var length = 2 * Math.PI * radius, done = 0;
    var ring = "", parts = [];
    for (var index = 0; index < counts.length; index++) {
      var count = counts[index];
      if (!count) { continue; }
      var arc = length * count / total;
      ring += '<circle cx="' + half + '" cy="' + half + '" r="' + radius +
        '" fill="none" stroke="' + escapeHtml(payload.colors[index]) +
        '" stroke-width="' + 7 * scale + '" stroke-dasharray="' + arc + " " + (length - arc) +
        '" stroke-dashoffset="' + (-done) + '" transform="rotate(-90 ' + half + " " + half +
        ')"/>';
      done += arc;
      parts.push((payload.labels || [])[index] + " : " + count);
    }
    var title = total + " initiatives — " + parts.join(", ");
    var html = '<svg width="' + size + '" height="' + size + '" viewBox="0 0 ' + size + " " +
      size + '" role="img" aria-label="' + escapeHtml(title) + '"><title>' +
      escapeHtml(title) + '</title><circle cx="' + half + '" cy="' + half + '" r="' +
      (half - 0.75) + '" fill="#ffffff"/>' + ring + '<text x="50%" y="50%" dy="0.35em" ' +
      'text-anchor="middle" font-size="' + Math.round(12 * scale) + '">' +
      total + "</text></svg>";
    return L.divIcon({ html: html, className: "marker-cluster territoires-groupe",
                       iconSize: L.point(size, size) });
  }

  var GROUP_RADIUS = 40;  // px: points closer than this at a zoom level form one group
  var MAX_ZOOM = 18;

  // Groups of the points at one zoom level, made greedily: in the points' order, a point not
  // yet in a group starts one and takes every free point within GROUP_RADIUS pixels of it
  // (found through a grid of that cell size: an open-addressing table of the cells, each the
  // head of a list of its points). A group sits at the mean of its points.
  function groupPoints(x, y, zoom) {
    var n = x.length, cell = GROUP_RADIUS / (256 * Math.pow(2, zoom)), r2 = cell * cell;
    var size = 1;
    while (size < 2 * n) { size *= 2; }
    var mask = size - 1, cellX = new Int32Array(size), cellY = new Int32Array(size);
    var head = new Int32Array(size).fill(-1), next = new Int32Array(n);
    var cx = new Int32Array(n), cy = new Int32Array(n), i, j, h;
    function slot(a, b) {
      var k = (Math.imul(a, 73856093) ^ Math.imul(b, 19349663)) & mask;
      while (head[k] !== -1 && (cellX[k] !== a || cellY[k] !== b)) { k = (k + 1) & mask; }
      return k;
    }
    for (i = 0; i < n; i++) {
      cx[i] = Math.floor(x[i] / cell);
      cy[i] = Math.floor(y[i] / cell);
      h = slot(cx[i], cy[i]);
      if (head[h] === -1) { cellX[h] = cx[i]; cellY[h] = cy[i]; }
      next[i] = head[h];
      head[h] = i;
    }
    var group = new Int32Array(n).fill(-1), starts = [0], members = new Int32Array(n);
    var gx = [], gy = [], used = 0;
    for (i = 0; i < n; i++) {
      if (group[i] >= 0) { continue; }
      var g = gx.length, sx = 0, sy = 0, first = used;
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          for (j = head[slot(cx[i] + dx, cy[i] + dy)]; j !== -1; j = next[j]) {
            if (group[j] >= 0) { continue; }
            var ex = x[j] - x[i], ey = y[j] - y[i];
            if (ex * ex + ey * ey <= r2) {
              group[j] = g;
              members[used++] = j;
              sx += x[j];
              sy += y[j];
            }
          }
        }
      }
      gx.push(sx / (used - first));
      gy.push(sy / (used - first));
      starts.push(used);
    }
    return { x: gx, y: gy, starts: starts, members: members, group: group, zoom: zoom,
             markers: [] };
  }

  // Initiatives' points, coloured by theme, in groups (``groupPoints``) that open on a click:
  // the map zooms in to the group's points, or spreads them around it when they share one
  // place (or at the last zoom level). Only what is in view gets a Leaflet layer: a group's
  // marker, or a point's circle marker whose popup is built when it opens. Points and groups
  // are a quarter larger with ``payload.scale`` (presentation mode).
  var PointsLayer = L.Layer.extend({
    initialize: function (payload) {
      this.payload = payload;
      var lat = unpack(payload.lat), lon = unpack(payload.lon), n = lat.length;
      this.lat = new Float64Array(n);
      this.lon = new Float64Array(n);
      this.x = new Float64Array(n);
      this.y = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        this.lat[i] = lat[i] / 1e5;
        this.lon[i] = lon[i] / 1e5;
        this.x[i] = mercX(this.lon[i]);
        this.y[i] = mercY(this.lat[i]);
      }
      this.theme = unpack(payload.theme);
      payload.codes = payload.codes.map(unpack);
      this.length = n;
      this._levels = {};
      this._points = {};
      this._shown = new Map();
      this._group = L.featureGroup();
    },

    onAdd: function (map) {
      if (!map.options.maxZoom) { map.options.maxZoom = MAX_ZOOM; }
      this._group.addTo(map);
      map.on("moveend", this._update, this);
      map.on("zoomstart click", this.gather, this);
      var self = this;
      afterTerritories(map, function () {
        if (self._map !== map) { return; }
        self._started = true;
        self._update();
        // the points are on screen in the frame that draws these layers: the benchmark's mark
        L.Util.requestAnimFrame(function () {
          if (window.performance && performance.mark) { performance.mark(POINTS_MARK); }
        });
      });
    },

    onRemove: function (map) {
      if (map._territoiresPoints === this) { map._territoiresPoints = null; }
      map.off("moveend", this._update, this);
      map.off("zoomstart click", this.gather, this);
      this.gather();
      this._group.remove();
      this._group.clearLayers();
      this._shown = new Map();
    },

    level: function (zoom) {
      zoom = Math.max(0, Math.min(MAX_ZOOM, Math.round(zoom)));
      if (!this._levels[zoom]) { this._levels[zoom] = groupPoints(this.x, this.y, zoom); }
      return this._levels[zoom];
    },

    // The groups and points in view (and half a view around it) get their layers; the
    // others lose theirs.
    _update: function () {
      var map = this._map;
      if (!map || !this._started) { return; }
      var level = this.level(map.getZoom()), b = map.getBounds().pad(0.5);
      var x0 = mercX(b.getWest()), x1 = mercX(b.getEast());
      var y0 = mercY(b.getNorth()), y1 = mercY(b.getSouth());
      var shown = new Map();
      for (var g = 0; g < level.x.length; g++) {
        if (level.x[g] < x0 || level.x[g] > x1 || level.y[g] < y0 || level.y[g] > y1) { continue; }
        var layer = this._layerOf(level, g);
        shown.set(layer, true);
        if (!this._shown.has(layer)) { this._group.addLayer(layer); }
      }
      this._shown.forEach(function (_, layer) {
        if (!shown.has(layer)) { this._group.removeLayer(layer); }
      }, this);
      this._shown = shown;
    },

    _layerOf: function (level, g) {
      var from = level.starts[g], to = level.starts[g + 1];
      if (to - from === 1) { return this.marker(level.members[from]); }
      if (!level.markers[g]) {
        var marker = L.marker(latLngOf(level.x[g], level.y[g]),
                              { icon: clusterIcon(this.payload, this._counts(level, g), to - from) });
        marker.group = { level: level, index: g };
        marker.on("click", function () { this.open(level, g); }, this);
        marker.on("keypress", function (event) {
          if (event.originalEvent.key === "Enter") { this.open(level, g); }
        }, this);
        level.markers[g] = marker;
      }
      return level.markers[g];
    },

    // How many points of each colour group ``g`` of ``level`` holds.
    _counts: function (level, g) {
      var counts = this.payload.colors.map(function () { return 0; });
      for (var k = level.starts[g]; k < level.starts[g + 1]; k++) {
        counts[this.theme[level.members[k]]] += 1;
      }
      return counts;
    },

    // The points of group ``g`` of ``level``.
    pointsOf: function (level, g) {
      return Array.prototype.slice.call(level.members, level.starts[g], level.starts[g + 1]);
    },

    // Point ``i``'s circle marker (made once, when first needed), its popup built on opening.
    marker: function (i) {
      if (!this._points[i]) {
        var payload = this.payload, theme = this.theme[i];
        var marker = L.circleMarker([this.lat[i], this.lon[i]], {
          radius: payload.radius || 7, fillColor: payload.colors[theme], fillOpacity: 0.95,
          color: "#ffffff", weight: 1.5, themeClass: theme
        });
        marker.point = i;
        marker.bindPopup(function () {
          return popupHtml(payload.fields, pointValues(payload, i));
        }, { maxWidth: 320 });
        this._points[i] = marker;
      }
      return this._points[i];
    },

    // A click on a group: zoom in to its points, or spread them when they share one place or
    // the map cannot zoom further in.
    open: function (level, g) {
      var map = this._map, points = this.pointsOf(level, g);
      var bounds = L.latLngBounds(points.map(function (i) {
        return [this.lat[i], this.lon[i]];
      }, this));
      var same = bounds.getNorthEast().equals(bounds.getSouthWest());
      if (same || map.getZoom() >= map.getMaxZoom()) {
        this.spread(level, g);
      } else if (map.getBoundsZoom(bounds) <= map.getZoom()) {
        map.setView(bounds.getCenter(), map.getZoom() + 1);
      } else {
        map.fitBounds(bounds);
      }
    },

    // Group ``g``'s points around it, each on a leg: a circle under 9 points, else a spiral
    // (as Leaflet.markercluster spreads them).
    spread: function (level, g) {
      this.gather();
      var map = this._map, marker = level.markers[g], points = this.pointsOf(level, g);
      var centre = map.latLngToLayerPoint(marker.getLatLng()), n = points.length;
      var spots = n >= 9 ? spiral(n, centre) : circle(n, centre.add([0, 10]));
      var layers = [];
      points.forEach(function (i, k) {
        var at = map.layerPointToLatLng(spots[k]);
        layers.push(L.polyline([marker.getLatLng(), at],
                               { weight: 1.5, color: "#222", opacity: 0.5, interactive: false }));
        var options = L.extend({}, this.marker(i).options, { bubblingMouseEvents: false });
        layers.push(L.circleMarker(at, options)
          .bindPopup(this.marker(i).getPopup().getContent(), { maxWidth: 320 }));
      }, this);
      // faded, and letting clicks through to the points it covers (a click there gathers)
      marker.setOpacity(0.3);
      if (marker._icon) { marker._icon.style.pointerEvents = "none"; }
      this._spread = { marker: marker, layers: L.featureGroup(layers).addTo(map) };
    },

    // Put the spread points back into their group.
    gather: function () {
      if (!this._spread) { return; }
      this._spread.marker.setOpacity(1);
      if (this._spread.marker._icon) { this._spread.marker._icon.style.pointerEvents = ""; }
      this._spread.layers.remove();
      this._spread = null;
    },

    // Show point ``i`` on its own (zoomed in to, or spread), then ``done(its marker)``.
    showPoint: function (i, done) {
      var map = this._map, self = this;
      for (var zoom = Math.max(0, Math.round(map.getZoom())); zoom <= MAX_ZOOM; zoom++) {
        var level = this.level(zoom), g = level.group[i];
        if (level.starts[g + 1] - level.starts[g] === 1 || zoom === MAX_ZOOM) { break; }
      }
      map.once("moveend", function () {
        var level = self.level(map.getZoom()), g = level.group[i];
        if (level.starts[g + 1] - level.starts[g] === 1) {
          done(self.marker(i));
          return;
        }
        self.spread(level, g);
        var k = self.pointsOf(level, g).indexOf(i);
        done(self._spread.layers.getLayers()[2 * k + 1]);
      });
      map.setView([this.lat[i], this.lon[i]], zoom, { animate: false });
    },

    // The groups on screen: their marker, count, and points per colour (the browser tests).
    groupsShown: function () {
      var level = this.level(this._map.getZoom()), rows = [];
      this._shown.forEach(function (_, layer) {
        if (!layer.group) { return; }
        var g = layer.group.index, colors = {};
        this._counts(level, g).forEach(function (count, k) {
          if (count) { colors[this.payload.colors[k]] = count; }
        }, this);
        rows.push({ marker: layer, count: level.starts[g + 1] - level.starts[g], colors: colors });
      }, this);
      return rows;
    }
  });

  function latLngOf(x, y) { return L.latLng(latOf(y), lngOf(x)); }

  function circle(n, centre) {
    var radius = Math.max(35, 25 * (2 + n) / (2 * Math.PI)), spots = [];
    for (var k = 0; k < n; k++) {
      var angle = k * 2 * Math.PI / n;
      spots.push(L.point(centre.x + radius * Math.cos(angle),
                         centre.y + radius * Math.sin(angle)).round());
    }
    return spots;
  }

  function spiral(n, centre) {
    var length = 11, angle = 0, spots = [];
    for (var k = n; k >= 0; k--) {
      if (k < n) {
        spots[k] = L.point(centre.x + length * Math.cos(angle),
                           centre.y + length * Math.sin(angle)).round();
      }
      angle += 28 / length + k * 0.0005;
      length += 5 * 2 * Math.PI / angle;
    }
    return spots;
  }

  function points(parent, payload) {
    var map = parent instanceof L.Map ? parent : window.map;
    var layer = new PointsLayer(payload);
    layer.addTo(parent);
    if (map) { map._territoiresPoints = layer; }
    return layer;
  }

  // A legend that can be folded away (to see what lies under it) and unfolded by one button;
  // its content is replaced by ``restyle`` after a filter change. The map's first legend is
  // the one the fit leaves room for.
  function legend(map, html, position, large) {
    var control = L.control({ position: position || "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "territoires-legend" + (large ? " grande" : ""));
      var toggle = L.DomUtil.create("button", "replier", div);
      toggle.type = "button";
      control._body = L.DomUtil.create("div", "contenu", div);
      control._body.innerHTML = html;
      function show(folded) {
        div.classList.toggle("repliee", folded);
        toggle.textContent = folded ? "Légende" : "−";
        toggle.title = folded ? "Afficher la légende" : "Replier la légende";
        toggle.setAttribute("aria-label", toggle.title);
        toggle.setAttribute("aria-expanded", folded ? "false" : "true");
      }
      show(false);
      L.DomEvent.on(toggle, "click", function () {
        show(!div.classList.contains("repliee"));
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    if (!map._territoiresLegend) { map._territoiresLegend = control; }
    return control;
  }

  // Text widths as the legend draws them, in the stylesheet's font (.leaflet-container): a
  // canvas measures them without laying out the page, before the legend is even shown.
  var LEGEND_FONT = '"Source Sans Pro", "Segoe UI", sans-serif';
  var measure = null;
  function textWidth(text, px, bold) {
    measure = measure || document.createElement("canvas").getContext("2d");
    measure.font = (bold ? "600 " : "") + px + "px " + LEGEND_FONT;
    return measure.measureText(text).width;
  }

  // Size of the legend, in pixels, in its two layouts: a column (its sections one under the
  // other; its height and width) and, with two sections or more, a row (side by side, class
  // ``en-ligne``). Computed from its text, as the stylesheet may not have loaded yet: type of
  // 13 px (18 px at most on a projector), line height 1.35, 4 px under each heading, the
  // measured width of each line with its swatch, the padding, and the source line in smaller
  // type. Null sizes for a legend still empty.
  function legendSize(body, large) {
    var font = large ? Math.min(18, (window.innerHeight - 64) / 20) : 13;
    var line = Math.max(font * 1.35, large ? 18 : 14);
    var widest = large ? 380 : 290, padding = large ? 20 : 16, small = large ? 13 : 11;
    var across = large ? 28 : 20, swatch = large ? 34 : 26;  // side padding; swatch and gap
    var blocks = body.querySelectorAll(".bloc");
    var column = 0, columnWidth = 0, rowHeight = 0, rowWidth = large ? 62 : 44;
    Array.prototype.forEach.call(blocks, function (block, index) {
      var titles = block.querySelectorAll(".titre"), lines = block.querySelectorAll(".ligne");
      var height = titles.length * (line + 4) + lines.length * line, width = 0;
      column += height;
      rowHeight = Math.max(rowHeight, height);
      Array.prototype.forEach.call(titles, function (t, i) {
        var button = index === 0 && i === 0 ? 22 : 0;  // the fold button beside the first title
        width = Math.max(width, textWidth(t.textContent, font, true) + button);
      });
      Array.prototype.forEach.call(lines, function (l) {
        width = Math.max(width, textWidth(l.textContent, font, false) + swatch);
      });
      width = Math.min(widest, Math.ceil(width) + 2);
      columnWidth = Math.max(columnWidth, width);
      rowWidth += width + 18;
    });
    var source = body.querySelector(".source");
    function sourceHeight(width) {
      if (!source) { return 0; }
      var lines = Math.ceil(textWidth(source.textContent, small, false) * 1.05 / width);
      return lines * small * 1.35 + 4;
    }
    var shown = Math.min(large ? 360 : 260, columnWidth);  // the stylesheet's max-width
    return {
      column: blocks.length ? Math.ceil(column + sourceHeight(shown) + padding) : null,
      width: blocks.length ? shown + across : null,
      row: blocks.length < 2 ? null : {
        width: rowWidth, height: Math.ceil(rowHeight + sourceHeight(rowWidth - 44) + padding)
      }
    };
  }

  // Leave room for the legend so that it does not cover the scope, where that costs the least
  // zoom: beside the scope on the right; under it (a map taller than the scope); or under it
  // with the sections side by side (a scope wider than the map, such as the Centre-Bretagne).
  // On the page, at most half a zoom level (a map up to 30 % smaller, whose every part
  // shows: a territory under the legend goes unseen); on a projector (large legend), where
  // nobody will fold the legend or move the map, up to one zoom level: a smaller map whose
  // every part shows. Room beside is the legend's width as its text measures (at most the
  // stylesheet's max-width and padding), its margin and a gap; room under, the legend's
  // height, its margin and the attribution line (34 px); the row leaves the left corner to the
  // scale bar.
  function fitOptions(map, bounds) {
    var control = map._territoiresLegend;
    if (!control) { return { animate: false }; }
    var box = control.getContainer();
    var large = box.classList.contains("grande");
    var whole = map.getBoundsZoom(bounds, false, L.point(0, 0));
    function room(right, bottom, row) {
      var zoom = map.getBoundsZoom(bounds, false, L.point(right + 10, bottom + 10));
      return { loss: whole - zoom, padding: [right, bottom], row: row };
    }
    var size = legendSize(control._body, large);
    var beside = large ? 410 : 300;  // the widest legend, its margin and a gap
    var rooms = [room(size.width ? Math.min(beside, size.width + 20) : beside, 10, false)];
    if (size.column) { rooms.push(room(10, size.column + 34, false)); }
    if (size.row && size.row.width + 130 <= map.getSize().x) {
      rooms.push(room(10, size.row.height + 34, true));
    }
    var best = rooms.reduce(function (a, b) { return b.loss < a.loss ? b : a; });
    box.classList.toggle("en-ligne", best.row);
    if (best.loss > (large ? 1 : 0.5)) { return { animate: false }; }
    return { animate: false, paddingTopLeft: [10, 10], paddingBottomRight: best.padding };
  }

  // Fit without animation: an animated zoom started while the iframe is still being laid out
  // can leave paths projected at the old zoom, and clicks then miss them on the canvas.
  // With ``fill`` (presentation mode), the map fills its frame, whose height the page sets
  // from the screen's: Leaflet learns each new size (a window resized on a projector) and the
  // scope is fitted again, unless the view has been moved by hand. Elsewhere the map keeps the
  // height streamlit-folium gives it, and nothing is watched.
  function fit(map, bounds, fill) {
    if (fill) {
      map.getContainer().style.setProperty("height", "100vh", "important");
      map.invalidateSize({ animate: false });
    }
    map.fitBounds(bounds, fitOptions(map, bounds));
    var legendBody = map._territoiresLegend && map._territoiresLegend._body;
    map._territoiresFit = {
      bounds: bounds, size: map.getSize(), fill: fill, center: map.getCenter(),
      zoom: map.getZoom(), legend: !!(legendBody && legendBody.firstChild)
    };
    if (fill && window.ResizeObserver && !map._territoiresResize) {
      var container = map.getContainer();
      ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
        container.addEventListener(type, function () { map._territoiresByHand = true; }, true);
      });
      map._territoiresResize = new ResizeObserver(function () {
        map.invalidateSize({ animate: false });
        var last = map._territoiresFit;
        if (!map._territoiresByHand && !map.getSize().equals(last.size)) {
          fit(map, last.bounds, fill);
        }
      });
      map._territoiresResize.observe(container);
    }
    return bounds;
  }

  // A basemap whose tiles cannot load (no network in the meeting room) says so on the map
  // instead of leaving a bare background; the notice goes as soon as a tile loads.
  function watchTiles(map, payload, tiles) {
    var notice = null;
    var loaded = false;
    tiles.on("tileload", function () {
      loaded = true;
      if (notice) { map.removeControl(notice); notice = null; }
    });
    tiles.on("tileerror", function () {
      if (loaded || notice) { return; }
      notice = L.control({ position: "topright" });
      notice.onAdd = function () {
        var div = L.DomUtil.create("div", "territoires-avis");
        div.setAttribute("role", "status");
        div.textContent = payload.message;
        return div;
      };
      notice.addTo(map);
    });
    return tiles;
  }

  window.TerritoiresMap = {
    escapeHtml: escapeHtml, popupHtml: popupHtml, pointValues: pointValues, decode: decode,
    features: features,
    choropleth: choropleth, shapes: shapes, points: points, legend: legend, fit: fit,
    restyle: restyle, watchTiles: watchTiles
  };
})();
