// The report's Print button: shown only when JavaScript runs (the browser's
// own Print menu works without it; the page has a print stylesheet).
document.querySelectorAll("[data-report-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
