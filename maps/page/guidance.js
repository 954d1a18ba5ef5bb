/* Guidance on the map page: the "Next" arrow and line, exception pins, a legend that
   folds away and a tap panel that closes by itself. Loaded after sweepline.js, whose
   `window.sweepline` it extends; every text is set with textContent, never as HTML. */
(function () {
  "use strict";
  var sw = window.sweepline;
  var map = sw.map;
  var INFO_CLOSE_MS = 12000;
  var nextLine = null;
  var nextMarker = null;
  var pins = L.layerGroup().addTo(map);
  sw.stats.next = null;
  sw.stats.pins = 0;

  function isNum(v) { return typeof v === "number" && isFinite(v); }

  function clearNext() {
    if (nextLine !== null) { map.removeLayer(nextLine); nextLine = null; }
    if (nextMarker !== null) { map.removeLayer(nextMarker); nextMarker = null; }
    nextArrow = null;
  }

  // next: {id, lat, lon, bearing} or null. A dashed line from the vehicle to the point to
  // aim for, and an arrow there pointing the way to drive to reach it. The layers are
  // made once and moved after, and the line follows the vehicle by itself (moveVehicle),
  // so a fix costs no extra message.
  var nextArrow = null;
  function showNext(next) {
    if (!next || !isNum(next.lat) || !isNum(next.lon)) {
      clearNext();
      sw.stats.next = null;
      return false;
    }
    var target = L.latLng(next.lat, next.lon);
    var v = sw.stats.lastVehicle;
    var from = v ? [v.lat, v.lon] : target;
    if (nextLine === null) {
      nextLine = L.polyline([from, target], {
        color: "#3d7cc9", weight: 5, dashArray: "10 10", interactive: false,
        className: "sweepline-next-line"
      }).addTo(map);
      nextArrow = document.createElement("div");
      nextArrow.className = "sweepline-next-arrow";
      nextArrow.textContent = "\u2191";
      nextMarker = L.marker(target, {
        icon: L.divIcon({className: "sweepline-next", html: nextArrow, iconSize: [44, 44]}),
        interactive: false, keyboard: false, zIndexOffset: 900
      }).addTo(map);
    } else {
      nextLine.setLatLngs([from, target]);
      nextMarker.setLatLng(target);
    }
    nextArrow.style.transform = "rotate(" + (isNum(next.bearing) ? next.bearing : 0) + "deg)";
    sw.stats.next = {id: next.id, lat: next.lat, lon: next.lon, bearing: next.bearing};
    return true;
  }

  // pin: {lat, lon, text}; a tap shows what and when.
  function addPin(pin) {
    if (!pin || !isNum(pin.lat) || !isNum(pin.lon)) { return false; }
    var marker = L.circleMarker([pin.lat, pin.lon], {
      radius: 12, color: "#7a2e00", weight: 3, fillColor: "#f28c28", fillOpacity: 0.95,
      className: "sweepline-pin"
    });
    var body = document.createElement("div");
    body.className = "sweepline-pin-text";
    body.textContent = String(pin.text || "");
    marker.bindPopup(body);
    pins.addLayer(marker);
    sw.stats.pins = pins.getLayers().length;
    return true;
  }

  function setPins(list) {
    pins.clearLayers();
    sw.stats.pins = 0;
    (Array.isArray(list) ? list : []).forEach(addPin);
  }

  // The legend folds to its title when tapped, and unfolds again.
  function foldLegend(folded) {
    var legend = document.querySelector(".sweepline-legend");
    if (legend === null) { return false; }
    legend.classList.toggle("sweepline-legend-folded", Boolean(folded));
    return true;
  }
  document.addEventListener("click", function (event) {
    var legend = event.target.closest ? event.target.closest(".sweepline-legend") : null;
    if (legend !== null) {
      legend.classList.toggle("sweepline-legend-folded");
    }
  });

  // The tap panel closes by itself after a while: it never stays over the map.
  var infoTimer = null;
  var showInfo = sw.showInfo;
  sw.showInfo = function (id) {
    var shown = showInfo(id);
    if (infoTimer !== null) { clearTimeout(infoTimer); }
    infoTimer = setTimeout(function () { infoTimer = null; sw.hideInfo(); }, sw.infoCloseMs);
    return shown;
  };

  // Open at start so the colours can be learnt, then folded out of the vehicle's way.
  setTimeout(function () { foldLegend(true); }, 20000);

  // The line to "Next" follows the vehicle on the page by itself.
  var moveVehicle = sw.moveVehicle;
  sw.moveVehicle = function (pos) {
    var moved = moveVehicle(pos);
    if (moved && nextLine !== null) {
      nextLine.setLatLngs([[pos.lat, pos.lon], nextMarker.getLatLng()]);
    }
    return moved;
  };

  sw.showNext = showNext;
  sw.addPin = addPin;
  sw.setPins = setPins;
  sw.foldLegend = foldLegend;
  sw.infoCloseMs = INFO_CLOSE_MS;
}());
