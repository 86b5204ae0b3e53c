// What the chart scripts share (app.js, js/charts.js, js/value.js): number formats, building elements, the axis
// tooltip our CSP allows, and loading ECharts on first need. Loaded on every page before them (base.html).
(function () {
  "use strict";

  function yuan(value) {
    return value === null || value === undefined ? "\u2014" : Number(value).toLocaleString(undefined, {
      minimumFractionDigits: 2, maximumFractionDigits: 2
    });
  }

  function percent(value) {
    return value === null || value === undefined ? "\u2014" : Number(value).toFixed(1) + "%";
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  // The axis tooltip built as elements, not as ECharts' default HTML: its markup carries style="..." attributes,
  // which the CSP (style-src 'self') blocks. Colours go through the CSSOM, which the CSP allows; texts go in as text.
  function tooltipOf(format) {
    return function (params) {
      var box = node("div", "chart-tip");
      box.appendChild(node("div", "chart-tip-title", params.length ? params[0].axisValueLabel : ""));
      params.forEach(function (p) {
        var row = node("div", "chart-tip-row");
        var dot = node("span", "chart-tip-dot");
        dot.style.backgroundColor = p.color;
        row.appendChild(dot);
        row.appendChild(node("span", "chart-tip-name", p.seriesName));
        row.appendChild(node("span", "chart-tip-value", format(p.value)));
        box.appendChild(row);
      });
      return box;
    };
  }

  // Charts that arrive by htmx after the page loaded fetch ECharts (from our own origin) when first needed.
  function withECharts(then) {
    if (window.echarts) { then(); return; }
    var tag = document.createElement("script");
    tag.src = "/static/vendor/echarts/echarts.min.js";
    tag.onload = then;
    document.head.appendChild(tag);
  }

  window.bankcrmChartKit = { yuan: yuan, percent: percent, node: node, tooltipOf: tooltipOf, withECharts: withECharts };
})();
