// Record forms: conditional fields and signature pads. The forms work without this script
// (every field is then shown; signatures cannot be drawn).
(function () {
  "use strict";

  function valueOf(id) {
    var el = document.getElementById(id);
    var values = [];
    if (el && el.tagName === "SELECT") {
      for (var i = 0; i < el.options.length; i++) {
        if (el.options[i].selected) values.push(el.options[i].value);
      }
      return values;
    }
    if (el && el.type === "checkbox") return [el.checked ? "true" : "false"];
    if (el) return [el.value];
    // Radio groups and tick-box lists: inputs named like the id.
    var name = id.replace(/-/g, ":");
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
      if (input.checked) values.push(input.value);
    });
    return values;
  }

  function refresh() {
    document.querySelectorAll("[data-show-if]").forEach(function (field) {
      var shown = valueOf(field.getAttribute("data-show-if"))
        .indexOf(field.getAttribute("data-show-value")) !== -1;
      field.hidden = !shown;
    });
  }

  function signaturePad(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-for"));
    var ctx = canvas.getContext("2d");
    var drawing = false;
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    canvas.addEventListener("pointerup", function () {
      drawing = false;
      input.value = canvas.toDataURL("image/png");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-show-if]")) {
      document.addEventListener("change", refresh);
      refresh();
    }
    document.querySelectorAll("canvas.signaturepad").forEach(signaturePad);
    document.querySelectorAll("[data-clear-signature]").forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.getAttribute("data-clear-signature");
        document.getElementById(id).value = "";
        var canvas = document.querySelector('canvas[data-for="' + id + '"]');
        canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      });
    });
  });
})();
