// Own JavaScript. Loaded as a file (strict CSP: no inline scripts); hooks use data- attributes.
"use strict";

// After a save, the overview puts the focus on the next section's link (#16).
(function () {
  const target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }
})();
