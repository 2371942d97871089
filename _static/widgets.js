/*
 * Frame player of the book's widgets (gamelib.interactive.Widget.player_html).
 *
 * Each .gamelib-player holds the default picture, its caption and an inline JSON index:
 * {base, id, frames: {key: [file, caption, alt]}, controls: [{name, label, slider,
 * readouts, value}]}, the key being the option index of every control joined by "_".
 * This script builds the controls (a page without it shows the default picture and no
 * dead controls): a range over option indices with its readout, or a menu. Moving a
 * control swaps the picture's src (no fetch(): works from file://), its alt text and the
 * caption. A control with no precomputed picture for any other position (given the
 * others) is disabled, with a tooltip saying why; the reset button brings every control
 * back to its default.
 */
(function () {
  "use strict";

  function element(tag, attributes, text) {
    var e = document.createElement(tag);
    Object.keys(attributes).forEach(function (a) { e.setAttribute(a, attributes[a]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function build(player, index) {
    var box = element("div", {"class": "gamelib-controls"});
    index.controls.forEach(function (spec) {
      var id = "gp-" + player.dataset.widget + "-" + spec.name + "-" + index.id;
      var field, out;
      if (spec.slider) {
        field = element("input", {type: "range", min: 0, max: spec.readouts.length - 1, step: 1,
                                  value: spec.value});
        out = element("output", {"for": id});
      } else {
        field = element("select", {});
        spec.readouts.forEach(function (r, i) {
          field.appendChild(element("option", {value: i}, r)).defaultSelected = i === spec.value;
        });
        out = element("output", {hidden: ""});
      }
      field.id = id;
      field.setAttribute("data-control", spec.name);
      var row = element("div", {"class": "gamelib-control"});
      row.append(element("label", {"for": id}, spec.label), field, out);
      box.appendChild(row);
    });
    box.appendChild(element("button", {type: "button", "class": "gamelib-reset"}, "reset"));
    player.insertBefore(box, player.firstChild);
  }

  function setup(player) {
    var index = JSON.parse(player.querySelector("script.gamelib-index").textContent);
    build(player, index);
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

    function readout(c, i) {
      if (!index.controls[i].slider) { return; }
      var text = index.controls[i].readouts[Number(c.value)];
      c.nextSibling.textContent = text;
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
    controls.forEach(readout);
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
