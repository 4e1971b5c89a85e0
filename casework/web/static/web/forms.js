/* Issue 14: the error summary (or, after a redirect, the notification banner) is focused when the page is shown, so
   it is in view and read out; a link in the summary moves to its field and focuses it. Also after an htmx swap. */
(function () {
  function focusFirst(root) {
    var target = root.querySelector("[data-error-summary]") || root.querySelector("[data-notification]");
    if (target) {
      target.focus({ preventScroll: false });
      if (target.scrollIntoView) target.scrollIntoView({ block: "start" });
    }
  }
  function openInvalid(root) {  // a refused form folded in a <details> is shown open
    root.querySelectorAll("details [aria-invalid=true], details .field-invalid").forEach(function (el) {
      var details = el.closest("details");
      while (details) { details.open = true; details = details.parentElement.closest("details"); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { openInvalid(document); focusFirst(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirst(event.target); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var details = input.closest("details");
    if (details) details.open = true;
    var label = input.closest(".field, fieldset") || input;
    label.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
})();
