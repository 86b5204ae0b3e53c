// Charts of the 360° view and the maturities page. Data comes in <script type="application/json">
// blocks next to each chart (not executed, so the CSP allows them); no inline scripts anywhere.
(function () {
  "use strict";

  function dataOf(el) {
    var src = document.getElementById(el.dataset.source);
    return src ? JSON.parse(src.textContent) : null;
  }

  var kit = window.bankcrmChartKit;
  var yuan = kit.yuan;
  var axisTooltip = kit.tooltipOf(yuan);

  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // AUM at each month end in yuan; months without a balance are null, drawn as gaps.
  function drawBalance(el) {
    var data = dataOf(el);
    if (!data) { return; }
    draw(el, {
      tooltip: { trigger: "axis", formatter: axisTooltip },
      grid: { left: 90, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: [{ name: el.dataset.label, type: "line", data: data.values, connectNulls: false, showSymbol: true }]
    });
  }

  // Per week: amount maturing, amount followed up and amount kept, in yuan.
  function drawMaturities(el) {
    var data = dataOf(el);
    if (!data) { return; }
    var names = [el.dataset.labelMaturing, el.dataset.labelFollowed, el.dataset.labelKept];
    draw(el, {
      tooltip: { trigger: "axis", formatter: axisTooltip },
      legend: { data: names },
      grid: { left: 90, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.weeks },
      yAxis: { type: "value" },
      series: [
        { name: names[0], type: "bar", data: data.maturing },
        { name: names[1], type: "bar", data: data.followed },
        { name: names[2], type: "bar", data: data.kept }
      ]
    });
  }

  var drawers = { balance: drawBalance, maturities: drawMaturities };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var fn = drawers[el.dataset.chart];
      if (fn) { fn(el); }
    });
  });

  // The vouchers filter answers invalid input with 422 and the table showing the errors: swap it in.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (evt.detail.xhr.status === 422 && target && target.id === "transactions") {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
