/*
 * Frame player of the book's widgets (gamelib.interactive.Widget.player_html).
 *
 * Each .gamelib-player holds its controls (disabled until this script runs), the default
 * picture, its caption, and an inline JSON index: {base, frames: {key: [file, caption,
 * alt]}}, the key being the option index of every control joined by "_". Moving a control
 * swaps the picture's src (no fetch(): works from file://), its alt text and the caption.
 * A control with no precomputed picture for any other position (given the others) is
 * disabled, with a tooltip saying why; the reset button brings every control back to
 * its default.
 */
(function () {
  "use strict";

  function setup(player) {
    var index = JSON.parse(player.querySelector("script.gamelib-index").textContent);
    var img = player.querySelector("img.gamelib-frame");
    var caption = player.querySelector(".gamelib-caption");
    var reset = player.querySelector(".gamelib-reset");
    var controls = Array.prototype.slice.call(player.querySelectorAll("[data-control]"));
    var defaults = controls.map(function (c) { return c.value; });

    function count(c) {
      return c.tagName === "SELECT" ? c.options.length : Number(c.max) + 1;
    }
    function key(values) { return values.join("_"); }
    function current() { return controls.map(function (c) { return c.value; }); }

    function readout(c) {
      var out = c.parentNode.querySelector("output");
      if (c.tagName === "SELECT" || !out) { return; }
      var text = JSON.parse(c.getAttribute("data-readouts"))[Number(c.value)];
      out.textContent = text;
      c.setAttribute("aria-valuetext", text);
    }

    function availability() {
      var values = current();
      controls.forEach(function (c, i) {
        var open = 0;
        for (var v = 0; v < count(c); v++) {
          var trial = values.slice();
          trial[i] = String(v);
          var ok = Object.prototype.hasOwnProperty.call(index.frames, key(trial));
          if (c.tagName === "SELECT") { c.options[v].disabled = !ok; }
          if (ok && String(v) !== values[i]) { open++; }
        }
        c.disabled = open === 0;
        c.parentNode.classList.toggle("gamelib-disabled", open === 0);
        c.title = open === 0
          ? "Not precomputed in this static page while the other controls are off their "
            + "defaults: press reset, or run the notebook for every value."
          : "";
      });
      reset.disabled = key(values) === key(defaults);
    }

    function show() {
      var frame = index.frames[key(current())];
      controls.forEach(readout);
      if (frame) {
        img.src = index.base + frame[0];
        img.alt = frame[2];
        caption.textContent = frame[1];
      }
      availability();
    }

    controls.forEach(function (c) {
      c.addEventListener("input", show);
      c.addEventListener("change", show);
    });
    reset.addEventListener("click", function () {
      controls.forEach(function (c, i) { c.value = defaults[i]; });
      show();
    });
    player.classList.add("gamelib-ready");
    availability();
  }

  function init() {
    var players = document.querySelectorAll(".gamelib-player:not(.gamelib-ready)");
    Array.prototype.forEach.call(players, setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
