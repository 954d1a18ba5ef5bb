"""The JavaScript side of the map page: the `window.sweepline` API.

Kept as a Python constant (not a separate .js file) so it ships inside the package with
no package-data configuration; `maps.page` embeds it and pins it with a CSP hash.

Rules the script keeps: data arrives only as JSON arguments; text from data (street
names) is only ever written with `textContent`; state lives page-side so a status
update restyles the affected polylines instead of redrawing the route.
"""

from __future__ import annotations

# Colours were picked to stay distinct on the light day background and the dark night
# background, and for the common red-green colour deficiencies (blue vs amber vs green
# differ in lightness as well as hue).
STATE_COLOURS = {
    "not_started": "#5b7fa6",
    "in_progress": "#e8a317",
    "swept": "#1f9d55",
}

TRAIL_MAX_POINTS = 120

PAGE_SCRIPT = r"""
window.sweepline = (function (map) {
  "use strict";
  var COLOURS = __COLOURS__;
  var TRAIL_MAX = __TRAIL_MAX__;
  var LABELS = {not_started: "Not started", in_progress: "In progress", swept: "Swept"};
  var TILES = __TILES__;
  var segments = {};
  var stats = {
    routeLoads: 0, statusUpdates: 0, vehicleUpdates: 0, trailUpdates: 0,
    segments: 0, skippedFeatures: 0, unknownSegments: 0,
    lastStatuses: null, lastVehicle: null,
    streetLoads: 0, streets: 0, streetLines: 0, streetsRendered: 0, streetsRenderMs: null,
    tilesLoaded: 0, tileErrors: 0
  };

  // Panes, bottom to top: basemap tiles (200), street context (350), route (400).
  var streetsPane = map.createPane("sweeplineStreets");
  streetsPane.style.zIndex = 350;
  streetsPane.style.pointerEvents = "none";
  var streetsRenderer = L.canvas({pane: "sweeplineStreets", padding: 0.5});
  var STREET_STYLES = {
    day: {casing: "#b8b2a7", core: "#ffffff"}, night: {casing: "#11151a", core: "#4a525c"}
  };
  function streetStyle(part, theme) {
    return {
      color: STREET_STYLES[theme][part], weight: part === "casing" ? 7 : 4, opacity: 1,
      interactive: false, renderer: streetsRenderer, pane: "sweeplineStreets",
      lineCap: "round", lineJoin: "round", smoothFactor: 1.5
    };
  }
  var streetCasing = L.polyline([], streetStyle("casing", "day")).addTo(map);
  var streetCore = L.polyline([], streetStyle("core", "day")).addTo(map);
  var streetsBounds = null;

  var baseLayer = null;
  if (TILES !== null) {
    baseLayer = L.tileLayer(TILES.url, {
      minZoom: 0, maxZoom: TILES.maxZoom, keepBuffer: 1, className: "sweepline-basemap"
    });
    baseLayer.on("tileload", function () { stats.tilesLoaded += 1; });
    baseLayer.on("tileerror", function () { stats.tileErrors += 1; });
    baseLayer.addTo(map);
  }
  var routeLayer = L.featureGroup().addTo(map);
  var trail = L.polyline([], {
    color: "#7d3c98", weight: 4, opacity: 0.8, interactive: false, className: "sweepline-trail"
  }).addTo(map);
  var vehicle = null;
  var vehicleArrow = null;
  var follow = true;
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function stateOf(s) { return (typeof s === "string" && has(COLOURS, s)) ? s : "not_started"; }
  function styleFor(state) {
    return {color: COLOURS[state], weight: 8, opacity: 0.95, lineCap: "round"};
  }
  function isNum(v) { return typeof v === "number" && isFinite(v); }
  function toLatLngs(coords) {
    var out = [];
    if (!Array.isArray(coords)) { return null; }
    for (var i = 0; i < coords.length; i++) {
      var c = coords[i];
      if (!Array.isArray(c) || !isNum(c[0]) || !isNum(c[1])) { return null; }
      out.push([c[1], c[0]]);
    }
    return out.length >= 2 ? out : null;
  }
  function text(tag, className, value) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = value;
    return el;
  }

  function makeTooltip(entry) {
    var box = document.createElement("div");
    box.className = "sweepline-tip";
    box.appendChild(text("div", "sweepline-tip-street", entry.street));
    entry.stateEl = text("div", "sweepline-tip-state", LABELS[entry.state]);
    box.appendChild(entry.stateEl);
    return box;
  }

  function applyState(entry, state) {
    entry.state = state;
    entry.layer.setStyle(styleFor(state));
    entry.stateEl.textContent = LABELS[state];
  }

  function loadRoute(geojson, statuses) {
    routeLayer.clearLayers();
    segments = {};
    stats.skippedFeatures = 0;
    var features = (geojson && Array.isArray(geojson.features)) ? geojson.features : [];
    statuses = statuses || {};
    features.forEach(function (f) {
      var props = (f && f.properties) || {};
      var rawId = props.id !== undefined ? props.id : (f ? f.id : undefined);
      var id = rawId !== undefined && rawId !== null ? String(rawId) : null;
      var geometry = f && f.geometry;
      var latlngs = geometry && geometry.type === "LineString"
        ? toLatLngs(geometry.coordinates) : null;
      if (id === null || latlngs === null || has(segments, id)) {
        stats.skippedFeatures += 1;
        return;
      }
      var state = stateOf(statuses[id]);
      var layer = L.polyline(latlngs, styleFor(state));
      var entry = {layer: layer, state: state, street: String(props.street || ""), stateEl: null};
      layer.bindTooltip(makeTooltip(entry), {
        sticky: true, direction: "top", className: "sweepline-tooltip"
      });
      layer.addTo(routeLayer);
      segments[id] = entry;
    });
    trail.bringToFront();
    stats.segments = Object.keys(segments).length;
    stats.routeLoads += 1;
    fitRoute();
    return stats.segments;
  }

  // The street context: every line of every feature in one casing and one core
  // polyline on a canvas, so thousands of streets cost two draw calls.
  function setStreets(geojson) {
    var features = (geojson && Array.isArray(geojson.features)) ? geojson.features : [];
    var t0 = performance.now();
    var lines = [];
    var count = 0;
    features.forEach(function (f) {
      var g = f && f.geometry;
      var parts = !g ? [] : g.type === "LineString" ? [g.coordinates]
        : g.type === "MultiLineString" && Array.isArray(g.coordinates) ? g.coordinates : [];
      var drawn = false;
      parts.forEach(function (p) {
        var ll = toLatLngs(p);
        if (ll !== null) { lines.push(ll); drawn = true; }
      });
      if (drawn) { count += 1; }
    });
    streetCasing.setLatLngs(lines);
    streetCore.setLatLngs(lines);
    streetsBounds = lines.length ? streetCasing.getBounds() : null;
    stats.streets = count;
    stats.streetLines = lines.length;
    stats.streetLoads += 1;
    var load = stats.streetLoads;
    if (Object.keys(segments).length === 0) { fitStreets(); }
    // Two frames later the canvas has been painted with the new lines.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (load !== stats.streetLoads) { return; }
        stats.streetsRenderMs = performance.now() - t0;
        stats.streetsRendered = load;
      });
    });
    return count;
  }

  function reloadTiles() {
    if (baseLayer !== null) { baseLayer.redraw(); }
    return baseLayer !== null;
  }

  function fitStreets() {
    if (streetsBounds === null || !hasSize()) { return; }
    map.fitBounds(streetsBounds, {padding: [16, 16], animate: false});
  }

  function setStatuses(statuses) {
    var applied = 0;
    Object.keys(statuses || {}).forEach(function (id) {
      if (!has(segments, id)) { stats.unknownSegments += 1; return; }
      var state = stateOf(statuses[id]);
      if (segments[id].state !== state) { applyState(segments[id], state); }
      applied += 1;
    });
    stats.statusUpdates += 1;
    stats.lastStatuses = statuses;
    return applied;
  }

  function makeVehicleIcon() {
    var root = document.createElement("div");
    root.className = "sweepline-vehicle-body";
    vehicleArrow = document.createElement("div");
    vehicleArrow.className = "sweepline-vehicle-arrow";
    root.appendChild(vehicleArrow);
    return L.divIcon({
      html: root, className: "sweepline-vehicle", iconSize: [34, 34], iconAnchor: [17, 17]
    });
  }

  function moveVehicle(pos) {
    if (!pos || !isNum(pos.lat) || !isNum(pos.lon)) { return false; }
    var latlng = L.latLng(pos.lat, pos.lon);
    if (vehicle === null) {
      vehicle = L.marker(latlng, {
        icon: makeVehicleIcon(), interactive: false, keyboard: false, zIndexOffset: 1000
      }).addTo(map);
    } else {
      vehicle.setLatLng(latlng);
    }
    if (isNum(pos.heading)) {
      vehicleArrow.style.transform = "rotate(" + pos.heading + "deg)";
      vehicleArrow.classList.remove("sweepline-no-heading");
    } else {
      vehicleArrow.classList.add("sweepline-no-heading");
    }
    trail.addLatLng(latlng);
    var pts = trail.getLatLngs();
    if (pts.length > TRAIL_MAX) { trail.setLatLngs(pts.slice(pts.length - TRAIL_MAX)); }
    if (follow && hasSize()) { map.panInside(latlng, {padding: [96, 96], animate: false}); }
    stats.vehicleUpdates += 1;
    stats.lastVehicle = {
      lat: pos.lat, lon: pos.lon, heading: isNum(pos.heading) ? pos.heading : null
    };
    return true;
  }

  function setTrail(points) {
    var clean = (Array.isArray(points) ? points : []).filter(function (p) {
      return Array.isArray(p) && isNum(p[0]) && isNum(p[1]);
    });
    trail.setLatLngs(clean.slice(Math.max(clean.length - TRAIL_MAX, 0)));
    stats.trailUpdates += 1;
    return clean.length;
  }

  // A hidden view has a zero-sized map; fitting or panning then yields NaN positions,
  // so the fit waits for the first real size.
  var fitPending = false;
  function hasSize() { var s = map.getSize(); return s.x > 0 && s.y > 0; }
  function fitRoute() {
    if (Object.keys(segments).length === 0) { return; }
    if (!hasSize()) { fitPending = true; return; }
    fitPending = false;
    map.fitBounds(routeLayer.getBounds(), {padding: [32, 32], animate: false});
  }
  map.on("resize", function () {
    if (fitPending) { fitRoute(); }
    if (Object.keys(segments).length === 0 && streetsBounds !== null) { fitStreets(); }
    if (vehicle !== null && follow && hasSize()) {
      map.panInside(vehicle.getLatLng(), {padding: [96, 96], animate: false});
    }
  });

  var attribution = L.control({position: "bottomright"});
  attribution.onAdd = function () { return text("div", "sweepline-attribution", ""); };
  attribution.addTo(map);
  var dataAttribution = "";
  function showAttribution() {
    var parts = [];
    if (TILES !== null && TILES.attribution) { parts.push(TILES.attribution); }
    if (dataAttribution && parts.indexOf(dataAttribution) < 0) { parts.push(dataAttribution); }
    attribution.getContainer().textContent = parts.join(" · ");
  }
  function setAttribution(value) {
    dataAttribution = typeof value === "string" ? value : "";
    showAttribution();
  }
  showAttribution();

  function setTheme(name) {
    var theme = name === "night" ? "night" : "day";
    document.body.classList.toggle("sweepline-night", theme === "night");
    streetCasing.setStyle(streetStyle("casing", theme));
    streetCore.setStyle(streetStyle("core", theme));
  }

  function setFollow(on) { follow = !!on; }

  function describeSegment(id) {
    if (!has(segments, id)) { return null; }
    var e = segments[id];
    var tip = e.layer.getTooltip();
    var el = tip && tip.getContent();
    return {
      state: e.state, street: e.street, color: e.layer.options.color,
      stroke: e.layer._path ? e.layer._path.getAttribute("stroke") : null,
      tooltipText: el ? el.textContent : null, tooltipHtml: el ? el.innerHTML : null
    };
  }

  return {
    loadRoute: loadRoute, setStatuses: setStatuses, moveVehicle: moveVehicle,
    setTrail: setTrail, fitRoute: fitRoute, setAttribution: setAttribution,
    setTheme: setTheme, setFollow: setFollow, describeSegment: describeSegment,
    setStreets: setStreets, fitStreets: fitStreets, reloadTiles: reloadTiles,
    colours: COLOURS, stats: stats, map: map
  };
})(__MAP__);
window.sweeplineReady = true;
"""

PAGE_CSS = """
html, body { background: #e9e7e1; }
.leaflet-container { background: #e9e7e1; font: 18px/1.3 "DejaVu Sans", sans-serif; }
body.sweepline-night, body.sweepline-night .leaflet-container { background: #1b1f24; }
.leaflet-bar a, .leaflet-bar a:hover {
  width: 64px; height: 64px; line-height: 64px; font-size: 34px;
}
.leaflet-touch .leaflet-bar a { width: 64px; height: 64px; line-height: 64px; }
.sweepline-tooltip { font-size: 18px; padding: 6px 10px; }
.sweepline-tip-street { font-weight: bold; }
.sweepline-vehicle-body {
  width: 34px; height: 34px; border-radius: 50%; background: #d62828;
  border: 3px solid #ffffff; box-sizing: border-box; box-shadow: 0 0 0 2px #222;
  position: relative;
}
.sweepline-vehicle-arrow {
  position: absolute; left: 8px; top: -14px; width: 0; height: 0;
  border-left: 6px solid transparent; border-right: 6px solid transparent;
  border-bottom: 14px solid #d62828; transform-origin: 6px 28px;
}
.sweepline-vehicle-arrow.sweepline-no-heading { display: none; }
.sweepline-night .sweepline-basemap { filter: brightness(0.55) contrast(1.1); }
.sweepline-attribution {
  background: rgba(255, 255, 255, 0.8); color: #333; font-size: 12px; padding: 0 5px;
}
"""
