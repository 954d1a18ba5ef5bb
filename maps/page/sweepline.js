// Over 450 lines: the one page API the application calls; "Next" lives in guidance.js.
// window.sweepline: the map page's API, called by the application (ui/map_view.py)
// through the channel handler in channel.js.
//
// Rules the script keeps: data arrives only as JSON arguments; text from data (street
// names) is only ever written with `textContent`; state lives page-side so a status
// update restyles the affected polylines instead of redrawing the route.
//
// maps/page.py replaces the __UPPER_CASE__ names before the page is rendered: the state
// colours and dashes and the trail length (maps/page_script.py, shared with the Python
// side), the tile layer (JSON, or null for streets only) and folium's map variable.
// Written as bare names they keep this file valid JavaScript for `node --check`.
window.sweepline = (function (map) {
  "use strict";
  var COLOURS = __COLOURS__;
  var DASHES = __DASHES__;
  var TRAIL_MAX = __TRAIL_MAX__;
  // Every visible word comes from Python (translated) through setLabels; these are the
  // English defaults until then.
  var LABELS = {
    not_started: "Not started", in_progress: "In progress", one_side: "One curb swept",
    swept: "Swept", skipped: "Skipped", length: "Length", passes: "Passes", why: "Why",
    recentre: "Re-centre", close: "Close", legend: "Legend"
  };
  var TILES = __TILES__;
  var segments = {};
  var stats = {
    routeLoads: 0, statusUpdates: 0, vehicleUpdates: 0, trailUpdates: 0,
    segments: 0, skippedFeatures: 0, unknownSegments: 0,
    lastStatuses: null, lastVehicle: null,
    streetLoads: 0, streets: 0, streetLines: 0, streetsRendered: 0, streetsRenderMs: null,
    tilesLoaded: 0, tileErrors: 0,
    infoShown: 0, recentres: 0, follow: true, lastVehicleAt: null, lastStatusAt: null
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
  // A status is a state name, or {state, info: {length, passes, why}} with the words
  // the tap panel shows.
  function stateOf(s) {
    if (s && typeof s === "object") { s = s.state; }
    return (typeof s === "string" && has(COLOURS, s)) ? s : "not_started";
  }
  function infoOf(s) {
    var info = (s && typeof s === "object" && s.info && typeof s.info === "object") ? s.info : {};
    return {
      length: typeof info.length === "string" ? info.length : "",
      passes: typeof info.passes === "string" ? info.passes : "",
      why: typeof info.why === "string" ? info.why : ""
    };
  }
  function styleFor(state) {
    return {
      color: COLOURS[state], weight: 8, opacity: 0.95, lineCap: "round",
      dashArray: has(DASHES, state) ? DASHES[state] : null
    };
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

  // The tap panel: what the operator sees after touching a segment. Built once from
  // elements whose text is only ever set with textContent.
  var infoControl = L.control({position: "topleft"});
  var infoEls = {};
  var infoId = null;
  infoControl.onAdd = function () {
    var box = text("div", "sweepline-info", "");
    box.style.display = "none";
    L.DomEvent.disableClickPropagation(box);
    infoEls.close = text("button", "sweepline-info-close", "\u00d7");
    infoEls.close.type = "button";
    infoEls.close.addEventListener("click", function () { hideInfo(); });
    box.appendChild(infoEls.close);
    infoEls.street = text("div", "sweepline-info-street", "");
    infoEls.state = text("div", "sweepline-info-state", "");
    box.appendChild(infoEls.street);
    box.appendChild(infoEls.state);
    ["length", "passes", "why"].forEach(function (key) {
      var row = text("div", "sweepline-info-row", "");
      infoEls[key + "Label"] = text("span", "sweepline-info-label", "");
      infoEls[key] = text("span", "sweepline-info-value", "");
      row.appendChild(infoEls[key + "Label"]);
      row.appendChild(infoEls[key]);
      box.appendChild(row);
    });
    infoEls.box = box;
    return box;
  };
  infoControl.addTo(map);
  function fillInfo() {
    if (infoId === null || !has(segments, infoId)) { return; }
    var e = segments[infoId];
    infoEls.street.textContent = e.street;
    infoEls.state.textContent = LABELS[e.state];
    infoEls.state.className = "sweepline-info-state sweepline-state-" + e.state;
    infoEls.lengthLabel.textContent = LABELS.length + ": ";
    infoEls.passesLabel.textContent = LABELS.passes + ": ";
    infoEls.whyLabel.textContent = LABELS.why + ": ";
    infoEls.length.textContent = e.info.length;
    infoEls.passes.textContent = e.info.passes;
    infoEls.why.textContent = e.info.why;
    infoEls.close.title = LABELS.close;
  }
  function showInfo(id) {
    if (!has(segments, id)) { return false; }
    infoId = id;
    fillInfo();
    infoEls.box.style.display = "block";
    stats.infoShown += 1;
    return true;
  }
  function hideInfo() { infoId = null; infoEls.box.style.display = "none"; }
  function shownInfo() {
    if (infoId === null) { return null; }
    return {
      id: infoId, street: infoEls.street.textContent, state: infoEls.state.textContent,
      length: infoEls.length.textContent, passes: infoEls.passes.textContent,
      why: infoEls.why.textContent, html: infoEls.box.innerHTML
    };
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
      var entry = {
        layer: layer, state: state, street: String(props.street || ""), stateEl: null,
        info: infoOf(statuses[id])
      };
      layer.bindTooltip(makeTooltip(entry), {
        sticky: true, direction: "top", className: "sweepline-tooltip"
      });
      // A finger 24 px off the 8 px line still hits it: a wide invisible twin takes taps.
      var hit = L.polyline(latlngs, {weight: 48, opacity: 0, className: "sweepline-hit"});
      hit.on("click", function () { window.sweepline.showInfo(id); }).addTo(routeLayer);
      layer.on("click", function () { window.sweepline.showInfo(id); });
      layer.addTo(routeLayer);
      segments[id] = entry;
    });
    if (infoId !== null && !has(segments, infoId)) { hideInfo(); } else { fillInfo(); }
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
      if (statuses[id] && typeof statuses[id] === "object") {
        segments[id].info = infoOf(statuses[id]);
      }
      if (id === infoId) { fillInfo(); }
      applied += 1;
    });
    stats.statusUpdates += 1;
    stats.lastStatusAt = performance.now();
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
    stats.lastVehicleAt = performance.now();
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

  // Follow mode: the map keeps the vehicle in view until the operator pans it by hand;
  // then a large "Re-centre" button brings it (and following) back.
  var recentreControl = L.control({position: "bottomleft"});
  var recentreButton = null;
  recentreControl.onAdd = function () {
    recentreButton = text("button", "sweepline-recentre", LABELS.recentre);
    recentreButton.type = "button";
    recentreButton.style.display = "none";
    L.DomEvent.disableClickPropagation(recentreButton);
    recentreButton.addEventListener("click", function () { recentre(); });
    return recentreButton;
  };
  recentreControl.addTo(map);
  function setFollow(on) {
    follow = !!on;
    stats.follow = follow;
    recentreButton.style.display = follow ? "none" : "block";
  }
  function recentre() {
    setFollow(true);
    if (vehicle !== null && hasSize()) {
      map.setView(vehicle.getLatLng(), Math.max(map.getZoom(), 16), {animate: false});
    } else {
      fitRoute();
    }
    stats.recentres += 1;
  }
  map.on("dragstart", function () { setFollow(false); });

  var legendControl = L.control({position: "topright"});
  var legendEls = {};
  legendControl.onAdd = function () {
    var box = text("div", "sweepline-legend", "");
    ["not_started", "in_progress", "one_side", "swept", "skipped"].forEach(function (state) {
      var row = text("div", "sweepline-legend-row", "");
      var swatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      swatch.setAttribute("width", "40");
      swatch.setAttribute("height", "14");
      var line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", "4"); line.setAttribute("y1", "7");
      line.setAttribute("x2", "36"); line.setAttribute("y2", "7");
      line.setAttribute("stroke", COLOURS[state]);
      line.setAttribute("stroke-width", "7");
      line.setAttribute("stroke-linecap", "round");
      if (has(DASHES, state)) { line.setAttribute("stroke-dasharray", DASHES[state]); }
      swatch.appendChild(line);
      row.appendChild(swatch);
      legendEls[state] = text("span", "sweepline-legend-label", LABELS[state]);
      row.appendChild(legendEls[state]);
      box.appendChild(row);
    });
    return box;
  };
  legendControl.addTo(map);

  function setLabels(labels) {
    Object.keys(labels || {}).forEach(function (key) {
      if (has(LABELS, key) && typeof labels[key] === "string") { LABELS[key] = labels[key]; }
    });
    Object.keys(legendEls).forEach(function (state) {
      legendEls[state].textContent = LABELS[state];
    });
    recentreButton.textContent = LABELS.recentre;
    Object.keys(segments).forEach(function (id) {
      segments[id].stateEl.textContent = LABELS[segments[id].state];
    });
    fillInfo();
  }

  function describeSegment(id) {
    if (!has(segments, id)) { return null; }
    var e = segments[id];
    var tip = e.layer.getTooltip();
    var el = tip && tip.getContent();
    var path = e.layer._path;
    return {
      state: e.state, street: e.street, color: e.layer.options.color,
      stroke: path ? path.getAttribute("stroke") : null,
      dash: path ? path.getAttribute("stroke-dasharray") : null,
      info: e.info,
      tooltipText: el ? el.textContent : null, tooltipHtml: el ? el.innerHTML : null
    };
  }

  // Where a segment's middle is on screen (CSS pixels of the map), for tapping it.
  function segmentPoint(id) {
    if (!has(segments, id)) { return null; }
    var pts = segments[id].layer.getLatLngs();
    var mid = pts[Math.floor(pts.length / 2)];
    if (pts.length === 2) {
      mid = L.latLng((pts[0].lat + pts[1].lat) / 2, (pts[0].lng + pts[1].lng) / 2);
    }
    var p = map.latLngToContainerPoint(mid);
    return {x: p.x, y: p.y};
  }

  return {
    loadRoute: loadRoute, setStatuses: setStatuses, moveVehicle: moveVehicle,
    setTrail: setTrail, fitRoute: fitRoute, setAttribution: setAttribution,
    setTheme: setTheme, setFollow: setFollow, describeSegment: describeSegment,
    setLabels: setLabels, showInfo: showInfo, hideInfo: hideInfo, shownInfo: shownInfo,
    recentre: recentre, segmentPoint: segmentPoint,
    setStreets: setStreets, fitStreets: fitStreets, reloadTiles: reloadTiles,
    colours: COLOURS, stats: stats, map: map
  };
})(__MAP__);
