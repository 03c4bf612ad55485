// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Styles that need the script (the phone's folding facets) hang on this class.
  document.documentElement.classList.add("js");

  // On a phone the facets fold into a panel under a button (app.css hides the button on
  // wider screens, where the panel is always shown).
  var toggle = document.querySelector(".facets-toggle");
  var panel = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && panel) {
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("open", open);
    };
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Mode radios and facet links already change the URL; submit the form when the mode changes.
  var form = document.querySelector("form.search");
  if (form) {
    form.querySelectorAll("input[name=mode]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (form.q.value.trim()) { form.submit(); }
      });
    });
  }

  // Empty date fields stay out of the URL, which stays short and shareable.
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[type=date]").forEach(function (input) {
        if (!input.value) { input.disabled = true; }
      });
    });
  }

  // "/" focuses the search box, as on most search sites.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("q");
    if (event.key === "/" && box && document.activeElement !== box &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Document page: "Back to results" carries the search in its link (the app sends
  // Referrer-Policy: no-referrer, so document.referrer is always empty); land on the hit.
  var hit = document.querySelector(".passage.hit");
  if (hit) {
    hit.scrollIntoView({ block: "center" });
    hit.focus({ preventScroll: true });
  }
})();
