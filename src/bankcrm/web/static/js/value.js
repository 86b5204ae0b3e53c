// Charts of the value pages: a customer's 12-month contribution and the Pareto curve. Data come from the
// element's data-src (JSON served by the value views); no inline script. The customer tab arrives by htmx, so
// charts are drawn on load and after every swap, and ECharts is loaded on first need.
(function () {
  "use strict";
  if (window.bankcrmValueCharts) { window.bankcrmValueCharts(); return; }

  var kit = window.bankcrmChartKit;
  var yuan = kit.yuan, percent = kit.percent, tooltipOf = kit.tooltipOf, withECharts = kit.withECharts;

  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawTrend(el, data) {
    draw(el, {
      tooltip: { trigger: "axis", formatter: tooltipOf(yuan) },
      grid: { left: 90, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: [{ name: el.dataset.label, type: "bar", data: data.values }]
    });
  }

  function drawPareto(el, data) {
    draw(el, {
      tooltip: { trigger: "axis", formatter: tooltipOf(percent) },
      grid: { left: 50, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.x.map(function (x) { return x + "%"; }) },
      yAxis: { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max)); } },
      series: [{ name: el.dataset.label, type: "line", data: data.share, connectNulls: false, showSymbol: true }]
    });
  }

  var drawers = { "contribution-trend": drawTrend, "contribution-pareto": drawPareto };

  function drawAll() {
    var pending = Array.prototype.filter.call(document.querySelectorAll("[data-chart]"), function (el) {
      return drawers[el.dataset.chart] && !el.dataset.rendered && !el.dataset.loading;
    });
    if (!pending.length) { return; }
    withECharts(function () {
      pending.forEach(function (el) {
        el.dataset.loading = "true";
        fetch(el.dataset.src, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { drawers[el.dataset.chart](el, data); });
      });
    });
  }

  window.bankcrmValueCharts = drawAll;
  document.addEventListener("htmx:afterSettle", drawAll);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
