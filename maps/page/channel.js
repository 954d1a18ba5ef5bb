// Live updates arrive through one QWebChannel object: its `message` signal carries a
// JSON string `[function, [arguments...]]` (or a list of them) for the fixed functions
// of window.sweepline (sweepline.js, which the page includes just before this file).
// The handler's source never changes, so a shift of updates compiles nothing new in the
// page. Ready once the channel is connected (at once where there is no channel, e.g. the
// page opened on its own).
(function (api) {
  "use strict";
  var CALLS = [
    "loadRoute", "setStatuses", "moveVehicle", "setTrail", "fitRoute", "setAttribution",
    "setTheme", "setFollow", "setLabels", "showInfo", "hideInfo", "recentre",
    "setStreets", "fitStreets", "reloadTiles", "showNext", "addPin", "setPins"
  ];
  api.stats.channelMessages = 0;
  api.stats.channelErrors = 0;
  var routeDrawn = null;  // tells the application, once a channel exists
  function run(call) {
    if (!Array.isArray(call) || CALLS.indexOf(call[0]) < 0) {
      api.stats.channelErrors += 1;
      return;
    }
    api[call[0]].apply(null, Array.isArray(call[1]) ? call[1] : []);
    if (call[0] === "loadRoute" && routeDrawn !== null) { routeDrawn(); }
  }
  function receive(text) {
    var calls;
    try { calls = JSON.parse(text); } catch (e) { api.stats.channelErrors += 1; return; }
    api.stats.channelMessages += 1;
    if (Array.isArray(calls) && Array.isArray(calls[0])) {
      calls.forEach(run);
    } else {
      run(calls);
    }
  }
  api.receive = receive;
  if (typeof QWebChannel === "function" && window.qt && window.qt.webChannelTransport) {
    new QWebChannel(window.qt.webChannelTransport, function (channel) {
      var bridge = channel.objects.sweeplineBridge;
      if (typeof bridge.routeDrawn === "function") {
        // In the frame that shows the route: the application's "route on screen".
        routeDrawn = function () {
          requestAnimationFrame(function () { bridge.routeDrawn(api.stats.segments); });
        };
      }
      // What the application had for the page when it connected: drawn now, in the
      // handshake, rather than after a round trip for it.
      if (typeof bridge.initialCalls === "string" && bridge.initialCalls) {
        receive(bridge.initialCalls);
      }
      bridge.message.connect(receive);
      window.sweeplineReady = true;
      // Tell the application at once rather than wait for its next poll.
      if (typeof bridge.pageReady === "function") { bridge.pageReady(); }
    });
  } else {
    window.sweeplineReady = true;
  }
})(window.sweepline);
