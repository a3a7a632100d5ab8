// A drawn signature for the contract's sign form: pointer strokes on <canvas data-signature-pad>, kept as a
// PNG data URL in the form's hidden `signature_png` field. Drawing selects "手写签名"; the clear button empties
// the canvas and the field. No framework, no inline script (the page's CSP allows only static files).
(function () {
  "use strict";

  function setup(canvas) {
    var form = canvas.closest("form");
    if (!form) return;
    var field = form.querySelector("input[name=signature_png]");
    var drawnChoice = form.querySelector("input[name=method][value=drawn]");
    var typedChoice = form.querySelector("input[name=method][value=typed]");
    var clear = form.querySelector("[data-signature-clear]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var dirty = false;

    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    function save() {
      if (dirty && field) field.value = canvas.toDataURL("image/png");
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      dirty = true;
      if (drawnChoice) drawnChoice.checked = true;
    });
    function stop() {
      if (!drawing) return;
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        dirty = false;
        if (field) field.value = "";
        if (typedChoice) typedChoice.checked = true;
      });
    }
    form.addEventListener("submit", save);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pads = document.querySelectorAll("canvas[data-signature-pad]");
    for (var i = 0; i < pads.length; i++) setup(pads[i]);
  });
})();
