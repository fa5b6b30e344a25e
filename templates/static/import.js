// The import page's script: it polls the import's progress as JSON and
// updates the bar and status in place, then shows the result, so the
// page does not reload itself every two seconds (its <meta refresh> is
// for browsers without this script, which it switches off).
"use strict";

(function () {
  var box = document.querySelector("section.import[data-import]");
  if (!box || box.getAttribute("data-done") === "true" || typeof fetch === "undefined") return;
  var refresh = document.querySelector("meta[http-equiv=refresh]");
  if (refresh) refresh.remove(); // a removed meta refresh no longer fires in Chromium and Firefox
  var id = box.getAttribute("data-import");
  var bar = box.querySelector(".import-bar");
  var count = box.querySelector(".import-count");
  var status = box.querySelector(".import-status");
  var phases = {
    queued: "Waiting for another import to finish…",
    reading: "Reading and storing the figures…",
    storing: "Every figure is read; storing them…"
  };
  var poll = function () {
    fetch("/api/v1/imports/" + encodeURIComponent(id), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("the server answered " + r.status);
        return r.json();
      })
      .then(function (st) {
        bar.max = Math.max(st.expected, 1);
        bar.value = Math.min(st.rows, bar.max);
        bar.textContent = st.percent + "%";
        count.textContent = st.rows + " of " + st.expected + " figures (" + st.percent + "%)";
        if (!st.done) {
          status.textContent = phases[st.phase] || st.phase;
          setTimeout(poll, 500);
          return;
        }
        // Finished: the server renders the result, links and warnings.
        window.location.reload();
      })
      .catch(function (err) {
        status.setAttribute("role", "alert");
        status.textContent = "Lost track of the import (" + err.message + "); reload the page to see how it ended.";
      });
  };
  poll();
})();
