// Own JavaScript. Loaded as a file (strict CSP: no inline scripts); hooks use data- attributes.
"use strict";

// After a save, the overview puts the focus on the next section's link (#16). A
// marker whose value is a selector hands the focus to what that selects (a question's
// group of options: never an option, so a stray arrow key changes no answer).
(function () {
  const marker = document.querySelector("[data-focus-on-load]");
  if (!marker) {
    return;
  }
  const selector = marker.dataset.focusOnLoad;
  const target = (selector && document.querySelector(selector)) || marker;
  if (!target.hasAttribute("tabindex") && !target.matches("a[href], button, input, select, textarea")) {
    target.tabIndex = -1;
  }
  target.focus();
})();
