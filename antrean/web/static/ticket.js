/* Live updates for one ticket's page: the `visitor` role on the server's WebSocket.
   The page works without this file (it reloads itself); this only makes it live. */
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  if (!root || root.getAttribute("data-live") !== "1" || !window.WebSocket) { return; }
  var S = JSON.parse(document.getElementById("strings").textContent);
  var key = root.getAttribute("data-key");
  var last = {status: root.getAttribute("data-status"), calls: -1};
  var ws = null, delay = 1000, timer = null, seq = 0;
  function $(id) { return document.getElementById(id); }
  function text(value) { return value ? (value[S.lang] || value.id) : ""; }
  function fill(template, name, value) { return template.split("{" + name + "}").join(value); }
  function live(on) {
    var el = $("live");
    if (el) { el.textContent = el.getAttribute(on ? "data-online" : "data-offline"); }
  }
  function render(t) {
    if (!t) { return; }
    var counter = text(t.counter_name);
    if (t.status !== last.status && ["done", "no_show"].indexOf(t.status) >= 0) {
      window.location.reload();  /* the server's page shows the outcome and the survey */
      return;
    }
    $("number").textContent = t.number;
    document.querySelector(".service").textContent = text(t.service_name);  /* a transfer */
    $("status").textContent = S.status[t.status] || t.status;
    $("ahead").textContent = t.ahead;
    $("eta").textContent = fill(S.eta, "n", t.eta_minutes);
    $("row-ahead").hidden = $("row-eta").hidden = t.status !== "waiting";
    if ($("serving")) { $("serving").textContent = t.serving.length ? t.serving.join(", ") : S.none; }
    var called = t.status === "called";
    $("called").hidden = !called;
    $("called-text").textContent = fill(S.go_to, "counter", counter);
    $("explain").textContent = t.status === "waiting" ? S.waiting
      : t.status === "serving" ? fill(S.serving_at, "counter", counter) : "";
    document.title = called ? fill(S.called_title, "counter", counter)
      : t.number + " · " + (S.status[t.status] || t.status);
    if (called && (last.status !== "called" || t.calls > last.calls) && last.calls >= 0) {
      if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); }
    }
    root.setAttribute("data-status", t.status);
    last = {status: t.status, calls: t.calls};
  }
  function connect() {
    clearTimeout(timer);
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/ws");
    ws.onopen = function () {
      ws.send(JSON.stringify({type: "hello", protocol: 1, role: "visitor", device: "phone",
                              token: key, since: null}));
    };
    ws.onmessage = function (message) {
      var frame = JSON.parse(message.data);
      if (frame.type === "welcome" && frame.snapshot) {
        delay = 1000; live(true); render(frame.snapshot.visitor);
      } else if (frame.type === "visitor") {
        render(frame.ticket);
      } else if (frame.type === "ok" && frame.result && frame.result.ticket) {
        render(frame.result.ticket);
      }
    };
    ws.onclose = function (event) {
      live(false);
      if (event.code === 4401) { return; }  /* the page is no longer valid */
      timer = setTimeout(connect, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 30000);
    };
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") { return; }
    if (ws && ws.readyState === 1) {
      seq += 1;
      ws.send(JSON.stringify({type: "visitor.ping", id: "wake-" + seq}));
    } else { delay = 1000; connect(); }
  });
  window.addEventListener("online", function () { delay = 1000; connect(); });
  connect();
}());
