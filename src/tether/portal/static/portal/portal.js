/* The member's question screens, one question per screen (docs/architecture.md
 * §Apps, portal). The pages work without this file: it only saves taps.
 *
 * A tap or click on an answer moves on to the next question (Back changes it).
 * A choice made with the keyboard (arrow keys, space) never moves the page,
 * as WCAG 2.2 SC 3.2.2 On Input asks: keyboard users confirm with Enter or Next.
 * Chromium and Firefox fire a click on a radio chosen with the arrow keys, so
 * the click alone cannot tell: the choice must have been pressed with a pointer.
 */
(function () {
  "use strict";

  // How long the chosen answer shows as chosen before the next question.
  var PAUSE_MS = 250;

  // Texts that are true only with this script (e.g. "tap an answer to go on").
  document.querySelectorAll("[data-with-script]").forEach(function (element) {
    element.hidden = false;
  });

  var form = document.querySelector("form[data-advance]");
  if (!form) {
    return;
  }
  var pressed = null; // the answer last pressed with a pointer, until a key is used
  var timer = null;

  form.addEventListener("pointerdown", function (event) {
    pressed = event.target.closest(".choice");
  });
  form.addEventListener("keydown", function () {
    pressed = null;
  });
  form.addEventListener("click", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio") {
      return;
    }
    if (pressed === null || pressed !== input.closest(".choice")) {
      return;
    }
    pressed = null;
    // The form saves the answer as it moves on: no separate autosave.
    form.dataset.moving = "true";
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      form.requestSubmit();
    }, PAUSE_MS);
  });
  // A page shown again from the browser's history starts afresh.
  window.addEventListener("pageshow", function () {
    delete form.dataset.moving;
  });
  // htmx asks before each autosave; none while the form is already moving on.
  form.addEventListener("htmx:confirm", function (event) {
    if (form.dataset.moving === "true") {
      event.preventDefault();
    }
  });
})();
