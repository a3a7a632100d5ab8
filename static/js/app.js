/* The site's few behaviours, in one file so the Content-Security-Policy can forbid inline scripts.
   Delegated from the document, so they also work on parts htmx swaps in. */
(function () {
  "use strict";

  // <select data-autosubmit>: changing it submits its form (language switch, list filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof Element && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // <button data-copy="text" data-copied="label">: copies the text, then shows the label.
  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!el) return;
    if (navigator.clipboard) navigator.clipboard.writeText(el.getAttribute("data-copy"));
    if (el.hasAttribute("data-copied")) el.textContent = el.getAttribute("data-copied");
  });

  // <span id="countdown" data-seconds="N">: counts down m:ss once a second (an exam's time left).
  function startCountdown() {
    var el = document.getElementById("countdown");
    if (!el || !el.hasAttribute("data-seconds")) return;
    var left = parseInt(el.getAttribute("data-seconds"), 10);
    var timer = setInterval(function () {
      left -= 1;
      if (left < 0) { clearInterval(timer); return; }
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    }, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startCountdown);
  } else {
    startCountdown();
  }
})();
