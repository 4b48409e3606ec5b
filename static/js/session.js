// Idle-session warning (security.md §2.1): the server ends the session
// data-session-age seconds after the page was made (the time left since its last
// save; the server saves it at most once a minute); warn at least 60 s before that.
// Background saves and "Stay logged in" tell the new time left in X-Idle-Seconds-Left.
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

  // The server's time left, or undefined when the response does not say.
  function secondsLeftOf(response) {
    const value = Number.parseInt(response.headers.get("X-Idle-Seconds-Left") || "", 10);
    return Number.isFinite(value) ? value : undefined;
  }

  function start(secondsLeft) {
    const left = Number.isFinite(secondsLeft) ? secondsLeft : age;
    window.clearTimeout(warnTimer);
    window.clearTimeout(endingTimer);
    window.clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(function () {
      warning.hidden = false;
    }, Math.max(left - WARN_BEFORE_SECONDS, 0) * 1000);
    endingTimer = window.setTimeout(function () {
      document.dispatchEvent(new CustomEvent("session:ending"));
    }, Math.max(left - DRAFT_BEFORE_SECONDS, 0) * 1000);
    endTimer = window.setTimeout(function () {
      warning.hidden = true;
      ended.hidden = false;
    }, left * 1000);
  }

  if (keep) {
    keep.addEventListener("click", function () {
      // A person's request renews the server-side session (the health check never does).
      fetch(body.dataset.sessionRefreshUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.ok) {
            start(secondsLeftOf(response));
          }
        });
    });
  }
  // Saves made in the background (drafts) renew the session too.
  document.addEventListener("session:renewed", function (event) {
    start(event.detail ? event.detail.secondsLeft : undefined);
  });
  start(age);
})();
