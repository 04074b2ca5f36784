// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox")) { if (el.checked) return el.value; }
      else return el.value;
    }
    return "";
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var values = block.getAttribute("data-show-values").split("|");
      var visible = values.indexOf(valueOf(form, block.getAttribute("data-show-if"))) !== -1;
      block.hidden = !visible;
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = document.getElementById("autosave-status");
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new FormData(form);
        fetch(url, { method: "POST", body: body, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
          .then(function (r) { if (status && r.ok) status.textContent = status.getAttribute("data-saved") + " " + new Date().toLocaleTimeString("vi-VN"); })
          .catch(function () {});
      }, 1500);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-dynamic]").forEach(function (form) {
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
      if (form.hasAttribute("data-autosave-url")) autosave(form);
    });
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          button.textContent = button.getAttribute("data-copied");
        });
      });
    });
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
