// The segment builder: condition rows and and/or groups kept as the JSON specification in the form's hidden
// "spec" field; every change asks the server for the live count (htmx, event "spec-changed"). The size chart of a
// segment's page. No inline script (CSP): the page hands its choices over in <template> elements and data-*.
(function () {
  "use strict";

  function el(tag, className, text) { return window.bankcrmChartKit.node(tag, className, text); }

  function select(options, role, value) {
    var s = el("select", "form-select form-select-sm");
    s.dataset.role = role;
    options.forEach(function (o) {
      var opt = el("option", "", o[1]);
      opt.value = o[0];
      if (o[2]) { opt.dataset.type = o[2]; }
      s.appendChild(opt);
    });
    if (value !== undefined) { s.value = value; }
    return s;
  }

  function input(role, placeholder, value, list) {
    var i = el("input", "form-control form-control-sm");
    i.dataset.role = role;
    i.placeholder = placeholder || "";
    if (list) { i.setAttribute("list", list); }
    if (value !== undefined && value !== null) { i.value = value; }
    return i;
  }

  function builder(root) {
    var form = document.getElementById("segment-form");
    var hidden = document.getElementById("segment-spec");
    var shown = document.getElementById("segment-json");
    var ops = JSON.parse(root.dataset.ops);
    var words = JSON.parse(root.dataset.words);
    var fieldTemplate = document.getElementById("segment-fields");

    function fieldOf(row) {
      var s = row.querySelector("[data-role=field]");
      var opt = s.options[s.selectedIndex];
      return { key: s.value, type: opt ? opt.dataset.type : "" };
    }

    function typeOps(field) {
      var head = field.key.split(":")[0];
      if (head === "change") { return ops.change; }
      if (head === "has_tag" || head === "holds_category" || head === "member_of") { return ["in"]; }
      return ops[field.type] || ops.code;
    }

    function listFor(field) {
      var head = field.key.split(":")[0];
      if (field.key === "feature:tier") { return "segment-tiers"; }
      return { has_tag: "segment-tags", holds_category: "segment-categories", member_of: "segment-memberships" }[head];
    }

    function refreshRow(row, keep) {
      var field = fieldOf(row);
      var opSelect = row.querySelector("[data-role=op]");
      var old = keep ? keep.op : opSelect.value;
      opSelect.innerHTML = "";
      typeOps(field).forEach(function (o) {
        var opt = el("option", "", words[o] || o);
        opt.value = o;
        opSelect.appendChild(opt);
      });
      if (typeOps(field).indexOf(old) >= 0) { opSelect.value = old; }
      opSelect.hidden = typeOps(field).length < 2;
      row.querySelector("[data-role=months]").hidden = field.key.split(":")[0] !== "change";
      row.querySelector("[data-role=high]").hidden = opSelect.value !== "between";
      var value = row.querySelector("[data-role=value]");
      var list = listFor(field);
      if (list) { value.setAttribute("list", list); } else { value.removeAttribute("list"); }
      value.placeholder = field.type === "money" && field.key.indexOf("change:") !== 0 ? words.yuan
        : field.key.indexOf("change:") === 0 ? "%" : field.type === "date" ? words.months : "";
    }

    function number(text, money) {
      var n = Number(String(text).replace(/,/g, "").trim());
      if (text === "" || isNaN(n)) { return text; }
      return money ? Math.round(n * 100) : n;
    }

    function shownNumber(value, money) { return money ? value / 100 : value; }

    function rowSpec(row) {
      var field = fieldOf(row), parts = field.key.split(":"), head = parts[0], name = parts[1];
      var op = row.querySelector("[data-role=op]").value;
      var raw = row.querySelector("[data-role=value]").value;
      var high = row.querySelector("[data-role=high]").value;
      if (head === "member_of") { return { member_of: raw.trim() }; }
      if (head === "has_tag" || head === "holds_category") {
        var o = {}; o[head] = raw.split(",").map(function (x) { return x.trim(); }).filter(Boolean); return o;
      }
      var numeric = field.type === "money" || field.type === "integer" || field.type === "date" || head === "change";
      var money = field.type === "money" && head !== "change";
      var value;
      if (op === "between") { value = [number(raw, money), number(high, money)]; }
      else if (op === "in" || op === "not_in") {
        value = raw.split(",").map(function (x) { return x.trim(); }).filter(Boolean)
          .map(function (x) { return numeric ? number(x, money) : x; });
      } else { value = numeric ? number(raw, money) : raw.trim(); }
      if (head === "change") {
        return { feature: name, change_pct_over_months: number(row.querySelector("[data-role=months]").value, false),
          op: op, value: value };
      }
      var spec = { op: op, value: value };
      spec[head] = name;
      return spec;
    }

    function groupSpec(group) {
      var items = Array.prototype.map.call(group.querySelector(".segment-items").children, function (child) {
        return child.classList.contains("segment-group") ? groupSpec(child) : rowSpec(child);
      });
      var joined = {}; joined[group.querySelector("[data-role=joiner]").value] = items;
      return group.querySelector("[data-role=negate]").checked ? { not: joined } : joined;
    }

    function changed() {
      var text = JSON.stringify(groupSpec(root.firstElementChild));
      hidden.value = text;
      shown.textContent = text;
      window.htmx.trigger(form, "spec-changed");
    }

    function addRow(items, cond) {
      var row = el("div", "segment-row d-flex gap-2 mb-2 align-items-center");
      var fields = fieldTemplate.content.firstElementChild.cloneNode(true);
      row.appendChild(fields);
      row.appendChild(input("months", words.months));
      row.appendChild(select([], "op"));
      row.appendChild(input("value", ""));
      row.appendChild(input("high", words.high));
      var remove = el("button", "btn btn-sm btn-ghost-danger", "\u00d7");
      remove.type = "button";
      remove.setAttribute("aria-label", words.remove);
      remove.addEventListener("click", function () { row.remove(); changed(); });
      row.appendChild(remove);
      items.appendChild(row);
      if (cond) { loadRow(row, cond); } else { refreshRow(row); }
      row.addEventListener("change", function (e) {
        if (e.target.dataset.role === "field" || e.target.dataset.role === "op") { refreshRow(row); }
      });
    }

    function loadRow(row, c) {
      var key, value = c.value, money;
      if ("member_of" in c) { key = "member_of"; value = c.member_of; }
      else if ("has_tag" in c || "holds_category" in c) {
        key = "has_tag" in c ? "has_tag" : "holds_category"; value = [].concat(c[key]).join(", ");
      } else if ("change_pct_over_months" in c) {
        key = "change:" + c.feature; row.querySelector("[data-role=months]").value = c.change_pct_over_months;
      } else { key = ("feature" in c ? "feature:" + c.feature : "attribute:" + c.attribute); }
      row.querySelector("[data-role=field]").value = key;
      money = fieldOf(row).type === "money" && key.indexOf("change:") !== 0;
      refreshRow(row, { op: c.op || "in" });
      if (Array.isArray(value) && c.op === "between") {
        row.querySelector("[data-role=value]").value = shownNumber(value[0], money);
        row.querySelector("[data-role=high]").value = shownNumber(value[1], money);
      } else if (Array.isArray(value)) {
        row.querySelector("[data-role=value]").value = value.map(function (v) { return shownNumber(v, money); }).join(", ");
      } else { row.querySelector("[data-role=value]").value = shownNumber(value, money); }
      refreshRow(row);
    }

    function addGroup(parent, node, nested) {
      var group = el("div", "segment-group border rounded p-2 mb-2");
      var head = el("div", "d-flex gap-2 mb-2 align-items-center");
      var negate = el("input", "form-check-input");
      negate.type = "checkbox";
      negate.dataset.role = "negate";
      var negateLabel = el("label", "form-check-label small", words.not);
      negateLabel.prepend(negate);
      head.appendChild(negateLabel);
      var joiner = select([["all", words.all], ["any", words.any]], "joiner");
      joiner.classList.add("w-auto");
      head.appendChild(joiner);
      var items = el("div", "segment-items");
      var addC = el("button", "btn btn-sm btn-outline-primary", words.add_condition);
      addC.type = "button";
      addC.dataset.action = "add-condition";
      addC.addEventListener("click", function () { addRow(items); changed(); });
      head.appendChild(addC);
      if (!nested) {
        var addG = el("button", "btn btn-sm btn-outline-secondary", words.add_group);
        addG.type = "button";
        addG.dataset.action = "add-group";
        addG.addEventListener("click", function () { addGroup(items, null, true); changed(); });
        head.appendChild(addG);
      } else {
        var drop = el("button", "btn btn-sm btn-ghost-danger", "\u00d7");
        drop.type = "button";
        drop.setAttribute("aria-label", words.remove);
        drop.addEventListener("click", function () { group.remove(); changed(); });
        head.appendChild(drop);
      }
      group.appendChild(head);
      group.appendChild(items);
      parent.appendChild(group);
      if (node && node.not) { negate.checked = true; node = node.not; }
      var j = node && (node.any ? "any" : "all");
      if (j) {
        joiner.value = j;
        (node[j] || []).forEach(function (child) {
          if (child.all || child.any || child.not) { addGroup(items, child, true); } else { addRow(items, child); }
        });
      }
    }

    var start;
    try { start = JSON.parse(hidden.value || "{}"); } catch (e) { start = {}; }
    if (!(start.all || start.any || start.not)) { start = { all: [start] }; }
    addGroup(root, start, false);
    if (!root.querySelector(".segment-row")) { addRow(root.querySelector(".segment-items")); }
    root.addEventListener("change", changed);
    root.addEventListener("input", function (e) { if (e.target.tagName === "INPUT") { changed(); } });
    changed();
  }

  function sizeChart(box) {
    var kit = window.bankcrmChartKit;
    kit.withECharts(function () {
      fetch(box.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
        var chart = window.echarts.init(box);
        chart.setOption({
          tooltip: { trigger: "axis", formatter: kit.tooltipOf(function (v) { return String(v); }) },
          grid: { left: 60, right: 20, top: 20, bottom: 30 },
          xAxis: { type: "category", data: d.days },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ name: box.dataset.label, type: "line", data: d.members, showSymbol: true }]
        });
        box.dataset.rendered = "true";
        window.addEventListener("resize", function () { chart.resize(); });
      });
    });
  }

  function init() {
    var root = document.getElementById("segment-builder");
    if (root) { builder(root); }
    var box = document.getElementById("segment-size-chart");
    if (box) { sizeChart(box); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
