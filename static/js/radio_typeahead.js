// Type-ahead in groups of radio options (#16), as a native <select> has it and the
// WAI-ARIA APG recommends for single-select widgets. With the focus on an option,
// typing a printable character checks the next option of the same group whose label
// (or the label after its leading score, "2 — More than half the days") starts with
// what was typed: the same character again cycles among the options it starts,
// characters typed within WAIT ms of each other make a longer prefix ("10 or more"),
// or start a new one when no answer starts with the longer one.
// The same works from a question's group itself (the fieldset the page focuses on load
// or after "Mark the rest No", never an option, so a stray arrow key changes nothing):
// the key checks the option and the focus goes to it.
// The focus stays in the group: nothing moves on to the next question on its own.
// The option is checked with click(), so the page hears the same click, input and
// change events as from a mouse (drafts, conditional questions, the error summary).
// Modifier keys, Tab, the arrow keys, Space and Enter keep their own behaviour.
"use strict";

(function () {
  const WAIT = 800;
  const SCORE = /^\S+\s+[\u2014\u2013-]\s+(.*)$/;
  let typed = "";
  let lastAt = 0;
  let lastGroup = null;

  function texts(radio) {
    const label = radio.labels && radio.labels[0];
    const text = (label ? label.textContent : radio.value).trim().toLowerCase();
    const score = text.match(SCORE);
    return score ? [text, score[1]] : [text];
  }

  function startsWith(radio, prefix) {
    return texts(radio).some(function (text) {
      return text.startsWith(prefix);
    });
  }

  function groupOf(radio) {
    const scope = radio.form || document;
    return Array.from(scope.querySelectorAll('input[type="radio"]')).filter(function (option) {
      return option.name === radio.name && !option.disabled && option.getClientRects().length > 0;
    });
  }

  function isRepeat(text) {
    return text.split("").every(function (character) {
      return character === text[0];
    });
  }

  function find(options, radio, prefix) {
    const here = options.indexOf(radio);
    // From the option after the focused one, as a select searches after its choice;
    // from the focused option itself while nothing in the group is checked yet.
    const from = radio.checked ? here + 1 : here;
    const order = options.slice(from).concat(options.slice(0, from));
    if (prefix.length > 1 && !isRepeat(prefix)) {
      // A longer prefix: the focused option stays while it still matches.
      return [radio].concat(order).find(function (option) {
        return startsWith(option, prefix);
      });
    }
    return order.find(function (option) {
      return startsWith(option, prefix[0]);
    });
  }

  // The option a key typed on a focused group starts from: the checked one, else the
  // first; null unless the fieldset holds one group of options.
  function startOf(fieldset) {
    const radios = Array.from(fieldset.querySelectorAll('input[type="radio"]'));
    if (!radios.length || radios.some(function (radio) { return radio.name !== radios[0].name; })) {
      return null;
    }
    const options = groupOf(radios[0]);
    return options.find(function (option) { return option.checked; }) || options[0] || null;
  }

  function onKey(event) {
    const onGroup = event.target instanceof HTMLFieldSetElement;
    const radio = onGroup ? startOf(event.target) : event.target;
    if (!(radio instanceof HTMLInputElement) || radio.type !== "radio" || !radio.name) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || event.key.trim() === "") {
      return;
    }
    if (lastGroup !== radio.name || event.timeStamp - lastAt > WAIT) {
      typed = "";
    }
    lastGroup = radio.name;
    lastAt = event.timeStamp;
    typed += event.key.toLowerCase();

    const options = groupOf(radio);
    let target = find(options, radio, typed);
    if (!target && typed.length > 1) {
      // Nothing starts with the whole prefix: the key starts a new one ("n" then "y").
      typed = typed.slice(-1);
      target = find(options, radio, typed);
    }
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target !== radio || onGroup) {
      target.focus();
    }
    if (!target.checked) {
      target.click();
    }
  }

  document.addEventListener("keydown", onKey);
  document.querySelectorAll("[data-typeahead-help]").forEach(function (help) {
    help.hidden = false;
  });
})();
