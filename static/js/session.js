// Idle-session warning (security.md §2.1): the server ends a session after
// data-session-age seconds without a request; warn at least 60 s before that.
// No inline script and no style attributes (strict CSP): hooks are data- attributes.
"use strict";

(function () {
  const body = document.body;
  const age = Number.parseInt(body.dataset.sessionAge || "", 10);
  const warning = document.querySelector("[data-session-warning]");
  const ended = document.querySelector("[data-session-ended]");
  const keep = document.querySelector("[data-session-keep]");
  if (!age || !warning || !ended) {
    return; // not logged in
  }
  // 90 s ahead leaves a margin over the required 60 s for a slow click.
  const WARN_BEFORE_SECONDS = 90;
  // Unsaved typing is posted as a draft this long before the end (section_drafts.js).
  const DRAFT_BEFORE_SECONDS = 20;
  let warnTimer = null;
  let endingTimer = null;
  let endTimer = null;

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endingTimer);
    window.clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(function () {
      warning.hidden = false;
    }, Math.max(age - WARN_BEFORE_SECONDS, 0) * 1000);
    endingTimer = window.setTimeout(function () {
      document.dispatchEvent(new CustomEvent("session:ending"));
    }, Math.max(age - DRAFT_BEFORE_SECONDS, 0) * 1000);
    endTimer = window.setTimeout(function () {
      warning.hidden = true;
      ended.hidden = false;
    }, age * 1000);
  }

  if (keep) {
    keep.addEventListener("click", function () {
      // A person's request renews the server-side session (the health check never does).
      fetch(body.dataset.sessionRefreshUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.ok) {
            start();
          }
        });
    });
  }
  // Saves made in the background (drafts) renew the session too.
  document.addEventListener("session:renewed", start);
  start();
})();
