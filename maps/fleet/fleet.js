// The supervisor's fleet layer: every vehicle of the day with its route, on the map page
// the operator screen also uses (window.sweepline). Python injects this file with
// runJavaScript (ui/supervisor/fleet_layer.py) and calls window.sweeplineFleet.update()
// with plain data; nothing here reaches the network.
//
// A click on a vehicle or its route asks the application to follow it: the page title
// becomes "sweepline-follow:<n>:<device id>" (a counter so the same vehicle twice is
// still a change), which the application hears through QWebEnginePage.titleChanged.
/* global L */
window.sweeplineFleet = (function (map) {
  "use strict";
  var group = L.layerGroup().addTo(map);
  var entries = {};
  var clicks = 0;
  var followed = null;

  function escapeText(value) {
    var div = document.createElement("div");
    div.textContent = value === null || value === undefined ? "" : String(value);
    return div.innerHTML;
  }

  function tooltipHtml(v) {
    return v.lines.map(function (line, i) {
      return i === 0 ? "<b>" + escapeText(line) + "</b>" : escapeText(line);
    }).join("<br>");
  }

  function follow(id) {
    clicks += 1;
    followed = id;
    document.title = "sweepline-follow:" + clicks + ":" + id;
  }

  function isNum(v) { return typeof v === "number" && isFinite(v); }

  function lineLatLngs(lines) {
    return (Array.isArray(lines) ? lines : []).map(function (coords) {
      return coords.filter(function (c) { return isNum(c[0]) && isNum(c[1]); })
        .map(function (c) { return [c[1], c[0]]; });
    }).filter(function (l) { return l.length > 1; });
  }

  function makeEntry(v) {
    var entry = { id: v.id };
    entry.route = L.polyline([], { weight: 3, opacity: 0.55, interactive: true });
    entry.route.on("click", function () { follow(v.id); });
    entry.marker = L.circleMarker([0, 0], { radius: 9, weight: 3, fillOpacity: 0.9 });
    entry.marker.on("click", function () { follow(v.id); });
    entry.routeKey = null;
    group.addLayer(entry.route);
    return entry;
  }

  function apply(entry, v) {
    var style = { color: v.colour, fillColor: v.colour };
    entry.route.setStyle({ color: v.colour, dashArray: v.freshness === "silent" ? "4 8" : null });
    // Redrawn when the route changes or its geometry arrives (vehicles can come first).
    var routeKey = v.route_id + ":" + (Array.isArray(v.route) ? v.route.length : 0);
    if (entry.routeKey !== routeKey) {
      entry.route.setLatLngs(lineLatLngs(v.route));
      entry.routeKey = routeKey;
    }
    entry.marker.setStyle(style);
    entry.marker.unbindTooltip();
    entry.marker.bindTooltip(tooltipHtml(v), { direction: "top", sticky: false });
    entry.route.unbindTooltip();
    entry.route.bindTooltip(tooltipHtml(v), { sticky: true });
    if (isNum(v.lat) && isNum(v.lon)) {
      entry.marker.setLatLng([v.lat, v.lon]);
      if (!group.hasLayer(entry.marker)) { group.addLayer(entry.marker); }
    } else if (group.hasLayer(entry.marker)) {
      group.removeLayer(entry.marker);
    }
    entry.freshness = v.freshness;
    entry.lines = v.lines;
    entry.position = isNum(v.lat) && isNum(v.lon) ? [v.lat, v.lon] : null;
  }

  // vehicles: [{id, lat, lon, colour, freshness, lines: [text], route_id, route: [[lon,lat]...]...}]
  function update(vehicles) {
    var seen = {};
    (Array.isArray(vehicles) ? vehicles : []).forEach(function (v) {
      if (!v || typeof v.id !== "string") { return; }
      seen[v.id] = true;
      if (!entries[v.id]) { entries[v.id] = makeEntry(v); }
      apply(entries[v.id], v);
    });
    Object.keys(entries).forEach(function (id) {
      if (!seen[id]) {
        group.removeLayer(entries[id].route);
        group.removeLayer(entries[id].marker);
        delete entries[id];
      }
    });
    return Object.keys(entries).length;
  }

  // What the map shows, for the application's checks: position, freshness, colour, hover.
  function shown() {
    return Object.keys(entries).sort().map(function (id) {
      var e = entries[id];
      var tip = e.marker.getTooltip();
      return { id: id, position: e.position, freshness: e.freshness,
        drawn: group.hasLayer(e.marker), colour: e.marker.options.color,
        hover: tip ? tip.getContent() : null };
    });
  }

  function fitAll() {
    var bounds = null;
    function add(b) {
      if (b.isValid()) {
        bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      }
    }
    var routes = 0;
    Object.keys(entries).forEach(function (id) {
      var e = entries[id];
      if (e.route.getLatLngs().length) { add(e.route.getBounds()); routes += 1; }
      if (e.position) { add(L.latLngBounds([e.position, e.position])); }
    });
    // Framed once the routes are known (vehicles and their positions can come first).
    var size = map.getSize();
    if (routes === 0 || size.x <= 0 || size.y <= 0) { return false; }
    if (bounds) { map.fitBounds(bounds, { padding: [20, 20] }); }
    return bounds !== null;
  }

  // The marker a test or the application clicks for the operator: same path as a tap.
  function tap(id) {
    if (!entries[id]) { return false; }
    entries[id].marker.fire("click");
    return true;
  }

  return { update: update, shown: shown, fitAll: fitAll, tap: tap,
    followed: function () { return followed; } };
})(window.sweepline.map);
