// The live character count under a limited textarea (common.widgets.CountedTextarea).
// Without JavaScript the line says the limit and the browser stops at maxlength.
(function () {
  "use strict";

  // Also for a form fetched later (static/js/on-demand-forms.js): sinergiCounters(itsContainer).
  function counters(root) {
  root.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) {
      return;
    }
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    var template = counter.getAttribute("data-template");
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined);

    function update() {
      var count = field.value.length;
      counter.textContent = template.replace("{count}", format.format(count));
      counter.classList.toggle("text-danger", count >= limit * 0.9);
    }

    field.addEventListener("input", update);
    update();
  });
  }

  window.sinergiCounters = counters;
  counters(document);
})();
