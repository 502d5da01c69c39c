// Forms drawn only when the user opens them (the case page, the caseload).
// Each is a plain link to the form's own page, which works without JavaScript;
// here a click fetches the form alone (?fragment=1) into the slot beside the
// link, and a second click folds it again. If the fetch fails, the link is
// followed as usual.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-on-demand-form]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    var slot = link.parentElement.querySelector("[data-form-slot]");
    if (!slot) {
      return;
    }
    event.preventDefault();
    if (slot.getAttribute("data-loaded")) {
      slot.hidden = !slot.hidden;
      link.setAttribute("aria-expanded", String(!slot.hidden));
      return;
    }
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("fragment", "1");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        // Only the form itself goes into the page; a sign-in page after a
        // redirect or an error page is shown by following the link instead.
        if (!response.ok || response.headers.get("X-Sinergi-Fragment") !== "form") {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        slot.setAttribute("data-loaded", "1");
        slot.hidden = false;
        link.setAttribute("aria-expanded", "true");
        if (window.sinergiCounters) {
          window.sinergiCounters(slot);
        }
        var first = slot.querySelector("input:not([type=hidden]), select, textarea");
        if (first) {
          first.focus();
        }
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });
})();
