// Polls a re-screen job's progress and moves its <progress> bar (strict CSP: no inline
// script, no style attribute). Polling stops when the job ends or the tab is hidden,
// because every request would otherwise keep the session alive (security.md §4).
"use strict";

(function () {
  const box = document.querySelector("[data-rescreen-progress-url]");
  if (!box) {
    return;
  }
  const url = box.dataset.rescreenProgressUrl;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-rescreen-text]");
  const intervalMs = 2000;
  let timer = null;
  let finished = false;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    text.textContent =
      (state.finished ? "Finished" : "Running") + ": " + state.done + " of " +
      state.total + " intakes (" + state.percent + " %).";
    box.dataset.rescreenStatus = state.status;
  }

  function stop() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
  }

  function schedule() {
    stop();
    if (!finished && !document.hidden) {
      timer = window.setTimeout(poll, intervalMs);
    }
  }

  function poll() {
    timer = null;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress request failed");
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        finished = state.finished;
        schedule();
      })
      .catch(function () {
        // A logged-out session or a network error: stop; a reload starts again.
        stop();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else if (!finished) {
      poll();
    }
  });

  if (box.dataset.rescreenStatus !== "finished") {
    poll();
  }
})();
