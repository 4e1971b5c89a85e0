/* Issue 14: the officer/position picker (org/pickers.py). The text box is a combobox: htmx asks /org/pick/ for
   suggestions as the officer types (2+ characters) and fills its listbox; arrow keys move through the options,
   Enter (or a click) chooses one: the box shows the name and a hidden field carries the choice ("officer:12").
   Typing again clears the choice, so what is typed is looked up instead. Without JavaScript: a plain text box. */
(function () {
  function parts(input) {
    var root = input.closest("[data-picker]");
    return { root: root, list: document.getElementById(input.getAttribute("aria-controls")),
             value: root && root.querySelector("[data-picker-value]") };
  }
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=option]:not([aria-disabled=true])")); }
  function close(input) {
    var p = parts(input);
    if (!p.list) return;
    p.list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function open(input) {
    var p = parts(input);
    if (!p.list || !p.list.children.length) return close(input);
    p.list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function activate(input, option) {
    var p = parts(input);
    options(p.list).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    }
  }
  function choose(input, option) {
    var p = parts(input);
    input.value = option.getAttribute("data-label");
    if (p.value) p.value.value = option.getAttribute("data-value");
    close(input);
    input.focus();
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.hasAttribute || !input.hasAttribute("data-picker-input")) return;
    var q = input.value.trim();
    if (q.length < 2) { event.preventDefault(); close(input); return; }
    event.detail.parameters = { q: q };  // only what was typed (the URL carries the signed scope and the list id)
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") return;
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    if (input && document.activeElement === input) open(input);
  });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-picker-input")) return;
    var p = parts(input);
    if (p.value) p.value.value = "";  // typed again: the earlier choice no longer stands
    if (input.value.trim().length < 2) close(input);
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-picker-input")) return;
    var p = parts(input);
    if (!p.list) return;
    var opts = options(p.list);
    var current = p.list.querySelector("[aria-selected=true]");
    var index = opts.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!opts.length) return;
      event.preventDefault();
      open(input);
      index = event.key === "ArrowDown" ? (index + 1) % opts.length : (index <= 0 ? opts.length - 1 : index - 1);
      activate(input, opts[index]);
    } else if (event.key === "Enter" && !p.list.hidden && current) {
      event.preventDefault();  // choose, do not submit the form
      choose(input, current);
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      close(input);
    }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-picker] [role=option][data-value]");
    if (!option) return;
    event.preventDefault();
    var input = document.querySelector("[aria-controls='" + option.parentElement.id + "']");
    if (input) choose(input, option);
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.hasAttribute && input.hasAttribute("data-picker-input")) setTimeout(function () { close(input); }, 150);
  });
})();
