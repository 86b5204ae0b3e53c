// The sales dashboard's funnel chart: data from the element's data-src; ECharts loaded on first need (no inline
// script, CSP). The table under the chart carries the same figures.
(function () {
  "use strict";
  var kit = window.bankcrmChartKit;
  function draw(el, data) {
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", formatter: kit.tooltipOf(function (v) { return String(v); }) },
      legend: { data: [el.dataset.labelNow, el.dataset.labelReached] },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.stages },
      yAxis: { type: "value" },
      series: [
        { name: el.dataset.labelNow, type: "bar", data: data.now },
        { name: el.dataset.labelReached, type: "bar", data: data.reached }
      ]
    });
    el.dataset.rendered = "true";
  }
  function start() {
    document.querySelectorAll("[data-chart='sales-funnel']").forEach(function (el) {
      kit.withECharts(function () {
        fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) { draw(el, d); });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
