// Quick entry of symptom scales from a paper form (#16). Each [data-quick-instrument]
// box takes an instrument's item scores in order, one digit per item (spaces and
// commas ignored), and checks the answers below as they are typed: item n takes the
// n-th digit; an item whose digit is deleted goes back to "Not answered"; a digit out
// of range sets nothing and says so beside the box; the first digit marks the
// instrument "Administered" (answers under "Not administered" would be refused).
// The box has no name: the answers below are what the form sends, so the page is the
// same form without this file. An answer changed below rewrites the box: the scores
// of the answered items up to the first one not answered.
// Focus: where the page put the focus on an instrument none of whose items has an
// answer yet (its first item, or its "Administered?" question), its box takes it.
// Typing stays in the box: nothing moves the focus on its own.
"use strict";

(function () {
  function options(form, name) {
    return Array.from(form.querySelectorAll('input[type="radio"][name="' + name + '"]'));
  }

  function answer(form, name) {
    const checked = options(form, name).find(function (option) { return option.checked; });
    return checked ? checked.value : "";
  }

  // Checked with click(), so the page hears the click, input and change events a
  // mouse makes (drafts, conditional questions).
  function choose(form, name, value) {
    const option = options(form, name).find(function (each) { return each.value === value; });
    if (option && !option.checked) {
      option.click();
    }
  }

  function leadingScores(form, items) {
    let scores = "";
    for (const item of items) {
      const value = answer(form, item);
      if (value === "") {
        break;
      }
      scores += value;
    }
    return scores;
  }

  function setUp(form, box) {
    const input = box.querySelector("input");
    const status = box.querySelector("[data-quick-status]");
    const items = box.dataset.items.split(" ");
    const given = box.dataset.given;
    const max = Number(box.dataset.max);
    const name = box.dataset.name;
    let applying = false;
    let previous = leadingScores(form, items); // what the box held before this input

    function report(problems) {
      const answered = items.filter(function (item) { return answer(form, item) !== ""; });
      const total = answered.reduce(function (sum, item) { return sum + Number(answer(form, item)); }, 0);
      const counted = answered.length + " of " + items.length + " items answered" +
        (answered.length ? ", total " + total + (answered.length < items.length ? " so far" : "") : "") + ".";
      status.textContent = problems.length ? problems.join(" ") + " " + counted : (input.value ? counted : "");
      status.classList.toggle("text-danger", problems.length > 0);
      input.classList.toggle("is-invalid", problems.length > 0);
      input.setAttribute("aria-invalid", problems.length ? "true" : "false");
    }

    function apply() {
      const typed = input.value.replace(/[\s,]/g, "");
      const problems = [];
      applying = true;
      try {
        if (typed && answer(form, given) !== "yes") {
          choose(form, given, "yes");
        }
        items.forEach(function (item, n) {
          const digit = typed.charAt(n);
          if (digit === "") {
            if (n < previous.length) {
              choose(form, item, "");
            }
          } else if (/^[0-9]$/.test(digit) && Number(digit) <= max) {
            choose(form, item, digit);
          } else {
            choose(form, item, "");
            problems.push("Item " + (n + 1) + ": \u201c" + digit + "\u201d is not a " + name + " score (0\u2013" + max + "), so it is not answered.");
          }
        });
        if (typed.length > items.length) {
          problems.push(name + " has " + items.length + " items: what follows the " + items.length + "th is not used.");
        }
      } finally {
        applying = false;
      }
      previous = typed;
      report(problems);
    }

    input.value = previous;
    input.addEventListener("input", apply);
    form.addEventListener("change", function (event) {
      if (applying || !items.includes(event.target.name)) {
        return;
      }
      previous = input.value = leadingScores(form, items);
      report([]);
    });
    return { input: input, items: items, given: given };
  }

  function focusedName() {
    const active = document.activeElement;
    if (!active || active === document.body) {
      return "";
    }
    if (active.name) {
      return active.name;
    }
    const option = active.querySelector && active.querySelector('input[type="radio"]');
    return option ? option.name : "";
  }

  document.querySelectorAll("[data-quick-scores]").forEach(function (panel) {
    const form = panel.closest("form");
    panel.hidden = false;
    const boxes = Array.from(panel.querySelectorAll("[data-quick-instrument]")).map(function (box) {
      return setUp(form, box);
    });
    const name = focusedName();
    const entry = boxes.find(function (box) {
      return (name === box.items[0] || name === box.given) &&
        box.items.every(function (item) { return answer(form, item) === ""; });
    });
    if (entry) {
      entry.input.focus();
    }
  });
})();
