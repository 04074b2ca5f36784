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
        // URL-encoded, as the form itself posts: Django parses a multipart body of a few
        // hundred fields (a long list of vehicles) several times slower.
        var body = new URLSearchParams(new FormData(form));
        fetch(url, { method: "POST", body: body, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
          .then(function (r) {
            if (!status) return;
            if (r.ok) { status.textContent = status.getAttribute("data-saved") + " " + new Date().toLocaleTimeString("vi-VN"); return; }
            // Refused (a list past its limit, the account's quota): say why, nothing was saved.
            r.json().then(function (d) { if (d && d.error) status.textContent = d.error; }).catch(function () {});
          })
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
    // The header's menu button on narrow screens (base.html); Escape closes the open menu.
    document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
      var menu = document.getElementById(button.getAttribute("aria-controls"));
      if (!menu) return;
      function set(open) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("show", open);
      }
      button.addEventListener("click", function () {
        set(button.getAttribute("aria-expanded") !== "true");
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          set(false);
          button.focus();
        }
      });
    });
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      // A link of the summary puts the cursor in its field, its label in view (GOV.UK pattern).
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        if (target.tabIndex < 0 && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        (target.closest(".field, fieldset") || target).scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }
  });
})();

// Officer workspace: filter long lists of units, and keyboard shortcuts (progressive only).
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-filter-target]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-target"));
      if (!list) return;
      input.parentElement.hidden = false;
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        list.querySelectorAll("[data-filter-group]").forEach(function (group) {
          var anyShown = false;
          var groupName = (group.querySelector("legend") || {}).textContent || "";
          var groupMatch = groupName.toLowerCase().indexOf(needle) !== -1;
          group.querySelectorAll("[data-filter-item]").forEach(function (item) {
            var checked = item.querySelector("input:checked");
            var show = !needle || groupMatch || checked || item.textContent.toLowerCase().indexOf(needle) !== -1;
            item.hidden = !show;
            if (show) anyShown = true;
          });
          group.hidden = !anyShown;
        });
      });
    });

    // "/" focuses the element marked data-shortcut="/", other keys follow links marked with them.
    var shortcuts = {};
    document.querySelectorAll("[data-shortcut]").forEach(function (el) {
      var key = el.getAttribute("data-shortcut");
      shortcuts[key] = el;
      if (el.tagName === "A") el.setAttribute("aria-keyshortcuts", key);
    });
    if (!Object.keys(shortcuts).length) return;
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var el = shortcuts[event.key];
      if (!el) return;
      event.preventDefault();
      if (el.tagName === "A") el.click(); else el.focus();
    });
  });
})();
