// The "Print" button of the printable case summary. Without JavaScript the
// browser's own print command does the same.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
