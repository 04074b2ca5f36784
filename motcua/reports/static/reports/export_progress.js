// Progressive enhancement of an export's page (decision 0064): poll its status and move the
// progress bar; show the download link or the error when it ends. Without this file the
// page has a "Làm mới" (refresh) link.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.hasAttribute("data-finished")) return;
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var status = document.getElementById("export-status");
  var download = document.getElementById("export-download");
  var error = document.getElementById("export-error");
  var refresh = document.getElementById("export-refresh");
  var delay = 1000;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + " %";
    percent.textContent = data.progress + " %";
    status.textContent = data.status_label;
    if (!data.finished) return false;
    if (refresh) refresh.hidden = true;
    if (data.status === "done") {
      download.hidden = false;
      var link = download.querySelector("a");
      if (link) link.focus();
    } else {
      error.textContent = data.error;
      error.hidden = false;
    }
    return true;
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && show(data)) return;
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
