// Charts of the value dashboard: the tier pyramids, the tier-move Sankey, the Pareto curve and the stacked AUM
// bars by branch. Every chart reads the same JSON (data-src, fetched once); no inline script or style.
(function () {
  "use strict";
  var kit = window.bankcrmChartKit;
  var yuan = kit.yuan, percent = kit.percent, tooltipOf = kit.tooltipOf, node = kit.node;

  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // An item tooltip (pyramid, Sankey) built as elements like the kit's axis tooltip: the CSP refuses ECharts' own.
  function itemTip(format) {
    return function (p) {
      var box = node("div", "chart-tip");
      var row = node("div", "chart-tip-row");
      row.appendChild(node("span", "chart-tip-name", p.name));
      row.appendChild(node("span", "chart-tip-value", format(p)));
      box.appendChild(row);
      return box;
    };
  }

  function drawPyramid(el, data) {
    var tiers = data.pyramid[el.dataset.kind] || [];
    draw(el, {
      tooltip: { trigger: "item", formatter: itemTip(function (p) { return p.value + " · " + yuan(p.data.aum); }) },
      series: [{
        name: el.dataset.label, type: "funnel", sort: "none", minSize: "8%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: tiers.map(function (t) { return { name: t.name, value: t.customers, aum: t.aum_end }; })
      }]
    });
  }

  function drawSankey(el, data) {
    draw(el, {
      tooltip: { trigger: "item", formatter: itemTip(function (p) { return String(p.value); }) },
      series: [{ type: "sankey", emphasis: { focus: "adjacency" }, data: data.sankey.nodes, links: data.sankey.links }]
    });
  }

  function drawPareto(el, data) {
    draw(el, {
      tooltip: { trigger: "axis", formatter: tooltipOf(percent) },
      grid: { left: 50, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.pareto.x.map(function (x) { return x + "%"; }) },
      yAxis: { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max)); } },
      series: [{ name: el.dataset.label, type: "line", data: data.pareto.share, connectNulls: false }]
    });
  }

  function drawAum(el, data) {
    draw(el, {
      tooltip: { trigger: "axis", formatter: tooltipOf(yuan) },
      legend: { type: "scroll", top: 0 },
      grid: { left: 100, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: data.aum.branches, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value" },
      series: data.aum.series.map(function (s) { return { name: s.name, type: "bar", stack: "aum", data: s.data }; })
    });
  }

  var drawers = {
    "tier-pyramid": drawPyramid, "tier-sankey": drawSankey, "dashboard-pareto": drawPareto, "aum-branch-tier": drawAum
  };
  var fetched = {};

  function drawAll() {
    var pending = Array.prototype.filter.call(document.querySelectorAll("[data-chart]"), function (el) {
      return drawers[el.dataset.chart] && !el.dataset.rendered && !el.dataset.loading;
    });
    if (!pending.length) { return; }
    kit.withECharts(function () {
      pending.forEach(function (el) {
        el.dataset.loading = "true";
        var src = el.dataset.src;
        fetched[src] = fetched[src] || fetch(src, { credentials: "same-origin" }).then(function (r) { return r.json(); });
        fetched[src].then(function (data) { drawers[el.dataset.chart](el, data); });
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
