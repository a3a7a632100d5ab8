/* The page shell's behaviour, kept out of the HTML so the CSP can forbid inline scripts and handlers. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-submit-on-change]")) { target.form.submit(); }
  });
})();
