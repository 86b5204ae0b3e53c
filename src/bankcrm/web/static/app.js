// Draws ECharts charts whose data the same view module serves as JSON (no inline scripts: CSP).
(function () {
  "use strict";
  function drawSignIns(el) {
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis" },
          legend: { data: [el.dataset.labelSuccess, el.dataset.labelFailure] },
          grid: { left: 40, right: 20, top: 40, bottom: 30 },
          xAxis: { type: "category", data: data.days },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            { name: el.dataset.labelSuccess, type: "bar", stack: "s", data: data.success },
            { name: el.dataset.labelFailure, type: "bar", stack: "s", data: data.failure }
          ]
        });
        el.dataset.rendered = "true";
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  // Data quality per month-end: complete and valid field values in per cent (null months are gaps).
  function drawQualityTrend(el) {
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis" },
          legend: { data: [el.dataset.labelComplete, el.dataset.labelValid] },
          grid: { left: 40, right: 20, top: 40, bottom: 30 },
          xAxis: { type: "category", data: data.months },
          yAxis: { type: "value", min: 0, max: 100 },
          series: [
            { name: el.dataset.labelComplete, type: "line", data: data.complete, connectNulls: false },
            { name: el.dataset.labelValid, type: "line", data: data.valid, connectNulls: false }
          ]
        });
        el.dataset.rendered = "true";
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  // A link such as /customers/…#tab-history opens that tab (Tabler's Bootstrap handles the click, not the URL).
  function openTabFromHash() {
    if (!location.hash || !window.bootstrap) { return; }
    var link = document.querySelector("a[data-bs-toggle='tab'][href='" + CSS.escape(location.hash) + "']");
    if (link) { window.bootstrap.Tab.getOrCreateInstance(link).show(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    openTabFromHash();
    document.querySelectorAll("[data-chart='sign-ins']").forEach(function (el) {
      if (window.echarts) { drawSignIns(el); }
    });
    document.querySelectorAll("[data-chart='quality-trend']").forEach(function (el) {
      if (window.echarts) { drawQualityTrend(el); }
    });
  });
})();
