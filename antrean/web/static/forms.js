/* Sends a ticket's survey or complaint over the WebSocket (the text then never sits in
   an address); on any trouble the form is sent the plain way, which works without this. */
(function () {
  "use strict";
  var form = document.querySelector("form[action^='/t/']");
  if (!form || !window.WebSocket || !window.FormData) { return; }
  var parts = form.getAttribute("action").split("/");  /* ["", "t", key, kind] */
  var key = parts[2], kind = parts[3];
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { return; }
    event.preventDefault();
    sending = true;
    var data = new FormData(form), request;
    function value(name) { var v = data.get(name); return v === null || v === "" ? null : String(v); }
    if (kind === "survei") {
      var answers = {}, profile = {};
      for (var i = 1; i <= 9; i++) { answers["u" + i] = value("u" + i); }
      ["age", "gender", "education", "occupation"].forEach(function (n) { profile[n] = value(n); });
      request = {type: "survey.submit", id: "s-" + Date.now(), answers: answers, profile: profile,
                 comment: value("comment")};
    } else {
      request = {type: "complaint.file", id: value("f") || "c-" + Date.now(),
                 category: value("category") || "", text: value("text") || "",
                 name: value("name"), contact: value("contact"), consent: !!value("consent")};
    }
    var fallback = function () { form.submit(); };
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    var timer = setTimeout(function () { ws.close(); fallback(); }, 8000);
    ws.onopen = function () {
      ws.send(JSON.stringify({type: "hello", protocol: 1, role: "visitor", device: "phone",
                              token: key, since: null}));
    };
    ws.onmessage = function (message) {
      var frame = JSON.parse(message.data);
      if (frame.type === "welcome") { ws.send(JSON.stringify(request)); return; }
      if (frame.id !== request.id) { return; }
      clearTimeout(timer);
      ws.close();
      if (frame.type === "ok" && kind === "survei") {
        window.location.href = "/t/" + key + "?terima=survei";
      } else if (frame.type === "ok") {
        window.location.href = "/pengaduan/" + frame.result.complaint.code + "?baru=1";
      } else { fallback(); }  /* the server's page names what is missing, in its language */
    };
    ws.onerror = function () { clearTimeout(timer); fallback(); };
  });
}());
