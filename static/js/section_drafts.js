// Server-side drafts of a section page (security.md T-SES-06, #13 F15): what is typed
// is posted to the server as a draft, never kept in the browser's storage.
//  - 2 s after the last key press, and at once on a change (an option chosen, a box
//    left), to data-draft-url: the person is working, so it renews the idle timer
//    and tells session.js so ("session:renewed").
//  - Once just before the idle logout ("session:ending" from session.js), to
//    data-draft-timeout-url, which the server does not count as activity.
"use strict";

(function () {
  const form = document.querySelector("form[data-draft-url]");
  if (!form) {
    return;
  }
  const DEBOUNCE_MS = 2000;
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  let timer = null;
  let unsaved = false; // typed since the last draft the server accepted
  let inflight = null; // the draft post on its way, if any
  let submitting = false;

  function post(url) {
    const body = new FormData(form);
    const request = fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": token },
    });
    inflight = request.finally(function () {
      inflight = null;
    });
    return request;
  }

  function saveDraft() {
    window.clearTimeout(timer);
    timer = null;
    if (!unsaved || submitting) {
      return;
    }
    if (inflight) {
      // One post at a time: the next one goes when this one is answered.
      inflight.then(saveDraft, saveDraft);
      return;
    }
    unsaved = false;
    post(form.dataset.draftUrl)
      .then(function (response) {
        if (response.ok) {
          const left = Number.parseInt(response.headers.get("X-Idle-Seconds-Left") || "", 10);
          document.dispatchEvent(new CustomEvent("session:renewed", {
            detail: { secondsLeft: Number.isFinite(left) ? left : undefined },
          }));
        } else if (response.status >= 500) {
          unsaved = true; // kept for the next try; a refusal (4xx) is final
        }
      })
      .catch(function () {
        unsaved = true;
      });
  }

  form.addEventListener("input", function () {
    unsaved = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(saveDraft, DEBOUNCE_MS);
  });
  form.addEventListener("change", function () {
    unsaved = true;
    saveDraft();
  });
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    unsaved = false; // the save itself keeps everything
    if (inflight && !submitting) {
      // The save waits for a draft post on its way, so the draft never lands after
      // the save that discards it.
      event.preventDefault();
      submitting = true;
      const submitter = event.submitter;
      inflight.catch(function () {}).then(function () {
        form.requestSubmit(submitter);
      });
    }
  });
  document.addEventListener("session:ending", function () {
    if (unsaved) {
      window.clearTimeout(timer);
      unsaved = false;
      post(form.dataset.draftTimeoutUrl);
    }
  });
})();
