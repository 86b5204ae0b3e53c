// The pipeline board: SortableJS moves cards between stage columns; a drop sends the new stage to the server
// (JSON answer) and puts the card back if the move is refused. A drop on Lost opens the opportunity's page to
// record the reason and the competitor. No inline script (CSP).
(function () {
  "use strict";
  function csrf() {
    var raw = document.body.getAttribute("hx-headers");
    try { return raw ? JSON.parse(raw)["X-CSRF-Token"] : ""; } catch (e) { return ""; }
  }
  function start() {
    if (!window.Sortable) { return; }
    document.querySelectorAll(".sales-cards[data-sortable], .sales-cards[data-drop-only]").forEach(function (list) {
      window.Sortable.create(list, {
        group: { name: "board", pull: list.hasAttribute("data-sortable"), put: true },
        sort: false,
        onAdd: function (evt) {
          var card = evt.item, to = evt.to, from = evt.from;
          var id = card.dataset.id, stage = to.dataset.stage;
          if (to.dataset.outcome === "lost") { window.location.href = "/opportunities/" + id + "#lost"; return; }
          var body = new URLSearchParams({ stage: stage });
          fetch("/opportunities/" + id + "/stage", {
            method: "POST",
            headers: { "Accept": "application/json", "X-CSRF-Token": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
            body: body.toString(),
            credentials: "same-origin"
          }).then(function (r) {
            if (!r.ok) { from.appendChild(card); return; }
            card.dataset.stage = stage;
            document.getElementById("board").dataset.moved = id + ":" + stage;
          }).catch(function () { from.appendChild(card); });
        }
      });
    });
    document.getElementById("board").dataset.ready = "true";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
