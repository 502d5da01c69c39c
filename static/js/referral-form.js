// Live student search on the referral form: as the teacher types, the result
// list below the search box is refreshed from the server. Without JavaScript
// the same form is an ordinary GET search, so nothing depends on this file.
(function () {
  "use strict";

  function setUp(form) {
    var input = form.querySelector('input[name="q"]');
    var results = document.getElementById("student-results");
    if (!input || !results) {
      return;
    }
    var url = form.getAttribute("data-results-url");
    var minLength = parseInt(form.getAttribute("data-min-length") || "2", 10);
    var timer = null;
    var controller = null;
    var lastQuery = input.value.trim();

    function search() {
      var q = input.value.trim();
      if (q === lastQuery) {
        return;
      }
      lastQuery = q;
      if (controller) {
        controller.abort();
      }
      if (q.length < minLength) {
        results.innerHTML = "";
        return;
      }
      controller = new AbortController();
      var params = new URLSearchParams({ q: q, partial: "1" });
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
        })
        .catch(function () {
          // Aborted or offline: the Search button still works.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
  }

  document.querySelectorAll("form[data-student-search]").forEach(setUp);
})();
