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
  var kit = window.bankcrmChartKit;
  var yuan = kit.yuan, percent = kit.percent, tooltipOf = kit.tooltipOf;
  // AUM and deposits (yuan, decimal text; null: no balances that month, drawn as a gap) at each month-end.
  // Loans are drawn only where a month-end figure exists: none is kept today, so the line stays out.
  function drawTrend(el) {
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        function numbers(values) { return values.map(function (v) { return v === null ? null : Number(v); }); }
        var series = [
          { name: el.dataset.labelAum, type: "line", data: numbers(data.aum), connectNulls: false, showSymbol: true },
          { name: el.dataset.labelDeposits, type: "line", data: numbers(data.deposits), connectNulls: false, showSymbol: true }
        ];
        if (data.loans.some(function (v) { return v !== null; })) {
          series.push({ name: el.dataset.labelLoans, type: "line", data: numbers(data.loans), connectNulls: false, showSymbol: true });
        }
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis", formatter: tooltipOf(yuan) },
          legend: { data: series.map(function (s) { return s.name; }) },
          grid: { left: 100, right: 20, top: 40, bottom: 30 },
          xAxis: { type: "category", data: data.month_ends },
          yAxis: { type: "value" },
          series: series
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
          tooltip: { trigger: "axis", formatter: tooltipOf(percent) },
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
  // The insight tab's month-end AUM trend: its data sits in a JSON block beside it. The tab arrives by htmx
  // after the page loaded, so ECharts is loaded (from our own origin) when the first such chart appears.
  function drawInsightTrend(el) {
    var src = document.getElementById(el.dataset.source);
    if (!src || el.dataset.rendered) { return; }
    var data = JSON.parse(src.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", formatter: tooltipOf(yuan) },
      grid: { left: 90, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: [{ name: el.dataset.label, type: "line", data: data.values, showSymbol: true }]
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawInsightCharts(root) {
    var charts = root.querySelectorAll("[data-chart='insight-trend']");
    if (!charts.length) { return; }
    kit.withECharts(function () { charts.forEach(drawInsightTrend); });
  }
  document.addEventListener("htmx:afterSwap", function (evt) { drawInsightCharts(evt.detail.target); });
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
    document.querySelectorAll("[data-chart='aum-trend']").forEach(function (el) {
      if (window.echarts) { drawTrend(el); }
    });
    document.querySelectorAll("[data-chart='quality-trend']").forEach(function (el) {
      if (window.echarts) { drawQualityTrend(el); }
    });
  });
})();
