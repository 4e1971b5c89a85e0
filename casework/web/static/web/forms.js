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
  // Again once loaded: a redirect to "page#section" scrolls to the section and clears the focus after
  // DOMContentLoaded; the summary or the confirmation at the top must still be what is in view and read out.
  window.addEventListener("load", function () { setTimeout(function () { focusFirst(document); }, 0); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirst(event.target); });
  // A refusal (400 with field messages, 409 stale edit) is swapped in like a success: htmx leaves 4xx answers out by
  // default, and the officer would see nothing happen (the search's "A CSID has 10 digits", a note without subject,
  // an audit filter with a bad date).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
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
  /* A form marked data-carry-ticks (the contact page's MCA checklist) sends its ticks along with whichever other
     form of the page is posted (as carry_codes), so a refusal there shows the checklist as it was, ticked but not
     yet saved, instead of losing the ticks. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var source = document.querySelector("form[data-carry-ticks]");
    if (!source || form === source || !form.closest || !form.closest("main")) return;
    var boxes = source.querySelectorAll("input[type=checkbox][data-mca-tick]:not([disabled])");
    if (!boxes.length) return;
    form.querySelectorAll("input[data-carried]").forEach(function (el) { el.remove(); });
    function carry(name, value) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value; input.setAttribute("data-carried", "");
      form.appendChild(input);
    }
    carry("carry", "1");
    boxes.forEach(function (box) { if (box.checked) carry("carry_codes", box.value); });
  });
})();
