// evimap web UI: concept suggestions while typing (the only script; served, not inline).
"use strict";
(function () {
  const list = document.getElementById("concept-options");
  if (!list) { return; }
  let timer = null;
  let last = "";
  async function suggest(input) {
    const q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    last = q;
    const url = input.dataset.autocomplete + "?limit=10&q=" + encodeURIComponent(q);
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) { return; }
      const page = await response.json();
      list.replaceChildren(...page.items.map(function (c) {
        const option = document.createElement("option");
        option.value = c.name;          // textContent/value: never parsed as HTML
        option.label = c.type + " \u00b7 " + c.id;
        return option;
      }));
    } catch (err) {
      // suggestions are a convenience: the search still works without them
    }
  }
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 150);
    });
  });
}());
