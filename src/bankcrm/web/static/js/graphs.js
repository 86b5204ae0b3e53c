// Relationship graphs (a customer's network, a corporate group, a guarantee circle) with an ECharts
// graph series. The data sits in a <script type="application/json"> block beside each chart (never
// executed, so the CSP allows it): {nodes: [...], edges: [...]}, masked nodes without name or CIF no.
(function () {
  "use strict";

  var COLOURS = { corporate: "#206bc4", individual: "#2fb344", masked: "#9aa0ac" };
  // Link types take these colours in the order the legend lists them.
  var LINK_COLOURS = ["#d63939", "#f76707", "#ae3ec9", "#0ca678", "#4263eb", "#f59f00", "#1098ad", "#495057"];

  // Each link type's colour, read from the legend under the chart (whose swatches it paints).
  function linkColours(el) {
    var colours = {};
    var legend = document.querySelector('[data-legend="' + el.dataset.graph + '"]');
    if (!legend) { return colours; }
    legend.querySelectorAll("[data-link-type]").forEach(function (item, i) {
      var colour = LINK_COLOURS[i % LINK_COLOURS.length];
      colours[item.dataset.linkType] = colour;
      var swatch = item.querySelector(".graph-swatch");
      if (swatch) { swatch.style.backgroundColor = colour; } // through the DOM: the CSP forbids style attributes
    });
    return colours;
  }

  function dataOf(el) {
    var src = document.getElementById(el.dataset.source);
    return src ? JSON.parse(src.textContent) : null;
  }

  function yuan(fen) {
    return (Number(fen) / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function nodeLabel(node, masked) {
    if (node.masked) { return masked; }
    return node.name || node.cif_no || node.id;
  }

  function edgeLabel(edge) {
    var text = edge.label;
    if (edge.share_pct_bp !== null && edge.share_pct_bp !== undefined) { text += " " + edge.share_pct_bp / 100 + "%"; }
    if (edge.amount !== null && edge.amount !== undefined) { text += " " + yuan(edge.amount); }
    return text;
  }

  // A tooltip as a text node: a customer's name is never parsed as HTML (ECharts puts a string
  // formatter's result in innerHTML, and its default markup has style attributes the CSP blocks).
  function tip(params) {
    var box = document.createElement("div");
    box.className = "chart-tip";
    box.textContent = params.data.tip;
    return box;
  }

  // A label formatter as a function: a string one would expand {a}, {b}, {c} found in a name.
  function fixed(text) {
    return function () { return text; };
  }

  function draw(el) {
    var data = dataOf(el);
    if (!data) { return; }
    var masked = el.dataset.labelMasked || "—";
    var colours = linkColours(el);
    var nodes = data.nodes.map(function (n) {
      var big = n.center || n.role === "CORE";
      return {
        id: n.id,
        name: n.id,
        value: nodeLabel(n, masked),
        symbolSize: big ? 46 : 30,
        symbol: n.kind === "individual" ? "circle" : "roundRect",
        itemStyle: { color: n.masked ? COLOURS.masked : COLOURS[n.kind] || COLOURS.corporate },
        label: { show: true, position: "bottom", formatter: fixed(nodeLabel(n, masked) + (n.cif_no ? "\n" + n.cif_no : "")), fontSize: 11 },
        tip: nodeLabel(n, masked) + (n.cif_no ? " · " + n.cif_no : "")
      };
    });
    var links = data.edges.map(function (e) {
      return {
        source: e.source,
        target: e.target,
        value: edgeLabel(e),
        label: { show: true, formatter: fixed(edgeLabel(e)), fontSize: 10 },
        tip: edgeLabel(e),
        lineStyle: { color: colours[e.link_type] || COLOURS.masked, width: e.control ? 2.5 : 1.2, type: e.control === false ? "dashed" : "solid", curveness: 0.15 }
      };
    });
    el.style.height = "480px"; // set through the DOM: the CSP forbids inline style attributes
    var chart = window.echarts.init(el);
    chart.setOption({
      // Confined to the chart: otherwise ECharts adds an arrow made of a style="..." attribute (blocked).
      tooltip: { formatter: tip, confine: true },
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        force: { repulsion: 600, edgeLength: [120, 200], layoutAnimation: false },
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        // Labels that would overlap another are hidden (they come back when the user zooms in).
        labelLayout: { hideOverlap: true },
        data: nodes,
        links: links
      }]
    });
    el.dataset.rendered = "true";
    el.dataset.drawnNodes = String(nodes.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-graph]").forEach(draw);
  });
})();
