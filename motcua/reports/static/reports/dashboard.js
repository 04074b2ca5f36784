// The dashboard's charts (Chart.js, served as vendor/chart.js). Progressive enhancement:
// each chart's numbers are also in the table beside it, which is what screen readers and
// pages without JavaScript get. The data come from the page's JSON (json_script), the very
// numbers of those tables.
(function () {
  "use strict";

  var COLOURS = ["#0b5cad", "#b3261e", "#1e7b34", "#7a4fb0"];

  function percent(value) {
    return value === null ? "—" : value.toLocaleString("vi-VN", { maximumFractionDigits: 2 }) + " %";
  }

  function draw(box) {
    var script = document.getElementById(box.getAttribute("data-chart"));
    if (!script || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(script.textContent);
    var isRate = spec.unit === "%";
    box.hidden = false;
    new window.Chart(document.getElementById(spec.id), {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.data,
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            borderWidth: 2,
            spanGaps: true,
            pointStyle: ["circle", "rect", "triangle", "rectRot"][i % 4],
            pointRadius: 4
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: "vi-VN",
        scales: { y: isRate ? { min: 0, max: 100 } : { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: {
          title: { display: true, text: spec.title },
          tooltip: isRate ? { callbacks: { label: function (c) { return c.dataset.label + ": " + percent(c.raw); } } } : {}
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
