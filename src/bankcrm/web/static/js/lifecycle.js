// Charts of the lifecycle page: customers per stage by org unit (stacked bars) and the month's flows between
// stages (Sankey). Data come from the element's data-src (JSON served by the lifecycle views); no inline script.
(function () {
  "use strict";
  var kit = window.bankcrmChartKit;

  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawBars(el, data) {
    draw(el, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 60, bottom: 10, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.branches.map(function (b) { return b.name; }) },
      series: data.stages.map(function (stage, i) {
        return { name: stage, type: "bar", stack: "stages", data: data.branches.map(function (b) { return b.values[i]; }) };
      })
    });
  }

  function drawSankey(el, data) {
    draw(el, {
      tooltip: { trigger: "item" },
      series: [{ type: "sankey", data: data.nodes, links: data.links, emphasis: { focus: "adjacency" }, nodeGap: 10 }]
    });
  }

  var drawers = { "lifecycle-bars": drawBars, "lifecycle-sankey": drawSankey };

  function drawAll() {
    var pending = Array.prototype.filter.call(document.querySelectorAll("[data-chart]"), function (el) {
      return drawers[el.dataset.chart] && !el.dataset.rendered;
    });
    if (!pending.length) { return; }
    kit.withECharts(function () {
      pending.forEach(function (el) {
        fetch(el.dataset.src, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { drawers[el.dataset.chart](el, data); });
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
