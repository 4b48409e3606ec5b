// Intake section forms: convenience only. The server decides what a hidden question
// stores (intake-format.md 2.1), so the page works the same without this file.
//  - data-show-if="name=a|b" / data-hide-if="name=a|b": show or hide a block while the
//    answer to `name` (looked up in the nearest [data-scope], else the form) is a or b.
//  - [data-answer-reason]: the "why not answered" select, hidden once there is an answer.
//  - Typing an event date picks its "Date:" option.
//  - Focus (#16): no option is ever focused for the user, so a stray arrow key changes
//    no answer. On load the focus goes to the error summary after a failed save, else
//    to the first unanswered question (its text box, or its group of options, from
//    which Tab reaches the first option), else to the page heading.
//  - Fewer Tab stops (#16): an empty "Details" box and the "why not answered" select
//    are skipped by Tab (still reached by screen readers, mouse and the error summary)
//    until the [data-optional-stops] button, or an error on the box, puts them back.
//  - [data-mark-rest-no]: on a checklist page, a button that answers No (or None,
//    Never) to every shown question not answered yet in its [data-mark-scope] (a list of
//    yes/no items such as DAST-10), else the page; the user's explicit action. The focus
//    then goes on to the next question still not answered after the button (its text
//    box or its group, as on load), so nobody Tabs past every marked one; it stays on
//    the button when none is left. The question holding the focus is scrolled into view
//    (the CSS outlines it).
"use strict";

(function () {
  function controls(scope, name) {
    return scope.querySelectorAll('[name="' + name + '"], [name$="-' + name + '"]');
  }

  function valueOf(scope, name) {
    for (const control of controls(scope, name)) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          return control.value;
        }
      } else {
        return control.value;
      }
    }
    return "";
  }

  function holds(element, attribute) {
    const [name, values] = element.getAttribute(attribute).split("=");
    const scope = element.parentElement.closest("[data-scope]") || element.closest("form");
    return values.split("|").includes(valueOf(scope, name));
  }

  function isAnswered(answer) {
    const main = answer.querySelector("[data-answer-main]");
    if (!main) {
      return false;
    }
    for (const control of main.querySelectorAll("input, select, textarea")) {
      if (control.type === "radio") {
        if (control.checked && control.value !== "") {
          return true;
        }
      } else if (control.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (element) {
      element.classList.toggle("d-none", !holds(element, "data-show-if"));
    });
    form.querySelectorAll("[data-hide-if]").forEach(function (element) {
      element.classList.toggle("d-none", holds(element, "data-hide-if"));
    });
    form.querySelectorAll("[data-answer]").forEach(function (answer) {
      const reason = answer.querySelector("[data-answer-reason]");
      if (reason) {
        reason.classList.toggle("d-none", isAnswered(answer));
      }
    });
  }

  function pickDateOption(event) {
    const input = event.target;
    if (!input.name || !input.name.endsWith("__on") || input.value.trim() === "") {
      return;
    }
    const options = input.closest("[data-answer-main]");
    const dateOption = options && options.querySelector('input[type="radio"][value="date"]');
    if (dateOption) {
      dateOption.checked = true;
    }
  }

  function isShown(element) {
    return element.getClientRects().length > 0;
  }

  // The first shown question without an answer; after `from`, if given, else from the
  // start of the form.
  function firstUnanswered(form, from) {
    const answers = Array.from(form.querySelectorAll("[data-answer]")).filter(function (answer) {
      return isShown(answer) && answer.querySelector("[data-answer-main]") && !isAnswered(answer);
    });
    const after = from && answers.find(function (answer) {
      return from.compareDocumentPosition(answer) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    return after || answers[0] || null;
  }

  // The first unanswered question's text box, or its group of options (never an
  // option: focus changes no answer). False when every shown question has an answer.
  function focusFirstUnanswered(form, from) {
    const answer = firstUnanswered(form, from);
    const control = answer && answer.querySelector("[data-answer-main] input, [data-answer-main] textarea");
    if (control && control.type !== "radio" && control.type !== "checkbox") {
      control.focus();
      return true;
    }
    const group = answer && answer.querySelector("fieldset");
    if (group) {
      group.tabIndex = -1;
      group.focus();
      return true;
    }
    return false;
  }

  function focusOnLoad(form) {
    if (document.querySelector("[autofocus]")) {
      return; // a row just added: its first box has the focus
    }
    const summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return;
    }
    if (focusFirstUnanswered(form)) {
      return;
    }
    const heading = document.getElementById("page-heading");
    if (heading) {
      heading.focus();
    }
  }

  function keepInView(event) {
    const answer = event.target.closest(".answer");
    if (answer) {
      answer.scrollIntoView({ block: "nearest" });
    }
  }

  function followErrorLink(event) {
    const link = event.target.closest("[data-error-link]");
    const control = link && document.getElementById(link.dataset.errorLink);
    if (control) {
      event.preventDefault();
      control.focus();
    }
  }

  function optionalStops(form) {
    return form.querySelectorAll('[data-answer-reason] select, .answer-detail input, .answer-detail textarea');
  }

  function setOptionalStops(form, on) {
    optionalStops(form).forEach(function (control) {
      const keep = on || control.value !== "" && !control.matches("[data-answer-reason] select") || control.classList.contains("is-invalid");
      if (keep) {
        control.removeAttribute("tabindex");
      } else {
        control.tabIndex = -1;
      }
    });
  }

  document.querySelectorAll("[data-optional-stops]").forEach(function (control) {
    const form = control.closest("form");
    const button = control.querySelector("button");
    control.hidden = false;
    setOptionalStops(form, false);
    button.addEventListener("click", function () {
      const on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      setOptionalStops(form, on);
    });
  });

  const NO = /^(no|none|never)\b/i;

  function noOption(answer) {
    for (const radio of answer.querySelectorAll('[data-answer-main] input[type="radio"]')) {
      const label = answer.querySelector('label[for="' + radio.id + '"]');
      if (["no", "none", "never"].includes(radio.value) || (label && NO.test(label.textContent.trim()))) {
        return radio;
      }
    }
    return null;
  }

  function markRestNo(scope, result) {
    let count = 0;
    scope.querySelectorAll("[data-answer]").forEach(function (answer) {
      const radio = isShown(answer) && !isAnswered(answer) && noOption(answer);
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        count += 1;
      }
    });
    result.textContent = count
      ? count + " questions marked No. Check them, then save."
      : "Every question already has an answer.";
  }

  document.querySelectorAll("[data-mark-rest-no]").forEach(function (control) {
    const form = control.closest("form");
    const result = control.querySelector("[data-mark-rest-no-result]");
    control.hidden = false;
    const scope = control.closest("[data-mark-scope]") || form;
    control.querySelector("button").addEventListener("click", function () {
      markRestNo(scope, result);
      focusFirstUnanswered(form, control);
    });
  });

  document.querySelectorAll("form[data-intake-form]").forEach(function (form) {
    form.addEventListener("input", function (event) {
      pickDateOption(event);
      update(form);
    });
    form.addEventListener("change", function () {
      update(form);
    });
    form.addEventListener("focusin", keepInView);
    update(form);
    focusOnLoad(form);
  });
  document.addEventListener("click", followErrorLink);
})();
