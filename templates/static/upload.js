// The upload page's script: a drop zone for the file input, and sending
// the upload and commit forms with XMLHttpRequest so that a progress bar
// can follow the upload. Without this script the forms work as plain
// HTML forms; nothing here is needed to upload.
"use strict";

(function () {
  function sizeText(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return (n / 1024).toFixed(1) + " KB";
    return n + " bytes";
  }

  // --- the drop zone ---------------------------------------------------------
  var form = document.querySelector("form.upload");
  var zone = form && form.querySelector(".dropzone");
  var input = form && form.querySelector("input[type=file]");
  if (zone && input && typeof DataTransfer !== "undefined") {
    var hint = zone.querySelector(".dropzone-hint");
    var chosen = zone.querySelector(".dropzone-file");
    if (hint) hint.hidden = false;
    zone.classList.add("dropzone-on");
    var showChosen = function () {
      var f = input.files && input.files[0];
      chosen.textContent = f ? "Chosen: " + f.name + " (" + sizeText(f.size) + ")" : "";
    };
    input.addEventListener("change", showChosen);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) {
        e.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "dragend", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      var files = e.dataTransfer && e.dataTransfer.files;
      if (!files || files.length === 0) return;
      if (files.length > 1) {
        chosen.textContent = "Drop one file at a time: each file is its own dataset.";
        return;
      }
      input.files = files;
      showChosen();
    });
    // A file dropped beside the zone would make the browser leave the page.
    ["dragover", "drop"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        if (!zone.contains(e.target)) e.preventDefault();
      });
    });
  }

  // --- sending with progress --------------------------------------------------
  // problems reads the messages of a page the server answered with (an
  // error page, or the form again with its error).
  function problems(html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    var out = [];
    doc.querySelectorAll("main [role=alert]").forEach(function (el) { out.push(el.textContent.trim()); });
    return out.join(" ");
  }

  function sendWithProgress(f) {
    var box = f.querySelector(".upload-progress");
    if (!box || typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") return;
    var bar = box.querySelector("progress");
    var status = box.querySelector(".upload-status");
    var button = f.querySelector("button[type=submit]");
    var max = Number(f.getAttribute("data-max-bytes")) || 0;
    f.addEventListener("submit", function (e) {
      var data = new FormData(f);
      var file = data.get("file");
      var hasFile = file && typeof file === "object" && file.size > 0;
      if (hasFile && max > 0 && file.size > max) {
        e.preventDefault();
        box.hidden = false;
        bar.hidden = true;
        status.setAttribute("role", "alert");
        status.textContent = file.name + " is " + sizeText(file.size) + ", larger than this server accepts (" + sizeText(max) + ").";
        return;
      }
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", f.action);
      box.hidden = false;
      bar.hidden = false;
      status.setAttribute("role", "status");
      button.disabled = true;
      var busy = f.classList.contains("commit") ? "Importing… this page stays open; a large file can take minutes." : "Reading the file…";
      if (hasFile) {
        bar.max = 100;
        bar.value = 0;
        status.textContent = "Uploading " + file.name + "…";
        xhr.upload.addEventListener("progress", function (ev) {
          if (!ev.lengthComputable) return;
          var pct = Math.floor((ev.loaded * 100) / ev.total);
          bar.value = pct;
          status.textContent = "Uploading " + file.name + ": " + pct + "% of " + sizeText(ev.total);
        });
        xhr.upload.addEventListener("load", function () {
          bar.removeAttribute("value");
          status.textContent = "Uploaded. " + busy;
        });
      } else {
        bar.removeAttribute("value");
        status.textContent = busy;
      }
      var fail = function (msg) {
        button.disabled = false;
        bar.hidden = true;
        status.setAttribute("role", "alert");
        status.textContent = msg;
      };
      xhr.addEventListener("load", function () {
        // The server answers a good form with a redirect, which the
        // request has followed: go where it leads.
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL && xhr.responseURL.split("#")[0] !== f.action) {
          window.location.assign(xhr.responseURL);
          return;
        }
        fail(problems(xhr.responseText) || "The server answered " + xhr.status + " " + xhr.statusText + ".");
      });
      xhr.addEventListener("error", function () {
        fail("The upload stopped: the connection was lost or the server refused the file" + (max ? " (files up to " + sizeText(max) + ")" : "") + ". Try again.");
      });
      xhr.send(data);
    });
  }
  document.querySelectorAll("form.upload, form.commit").forEach(sendWithProgress);

  // --- previewing again when an option changes ----------------------------------
  // On a preview, changing the sheet, a column, the unit, the flow or the
  // layout parses the file already uploaded again, as the Preview button
  // would (no file is sent again), and the page shows the new preview.
  var again = document.querySelector("form.upload input[name=preview]");
  if (again && typeof form.requestSubmit === "function") {
    form.querySelectorAll("select").forEach(function (sel) {
      sel.addEventListener("change", function () {
        if (input && input.files && input.files.length > 0) return; // a new file: the admin sends it with Preview
        form.requestSubmit();
      });
    });
  }
})();
