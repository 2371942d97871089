/*
 * Glue between the vendored widget manager and the rest of the page. Loaded by myst-nb
 * (nb_ipywidgets_js in _config.yml) after require.js and before embed-amd.js, only on
 * pages that contain widgets.
 *
 * 1. embed-amd.js locates its font files relative to the AMD module
 *    "@jupyter-widgets/html-manager/dist/..."; map that module path to the vendored
 *    folder so the fonts load from _static/vendor/html-manager/ (not the page's folder).
 * 2. The widget manager typesets control labels with the MathJax 2 API
 *    (MathJax.Hub.Queue); the book loads MathJax 3. Provide that one call on top of
 *    MathJax 3's typesetPromise.
 */
(function () {
  "use strict";
  var me = document.currentScript && document.currentScript.src;
  var staticDir = me ? me.replace(/offline\/widgets-config\.js(\?.*)?$/, "") : "../_static/";
  if (typeof window.require === "function" && window.require.config) {
    window.require.config({
      paths: { "@jupyter-widgets/html-manager/dist": staticDir + "vendor/html-manager" },
    });
  }

  function queue(command) {
    var element = Array.isArray(command) ? command[2] : undefined;
    var mj = window.MathJax;
    if (mj && typeof mj.typesetPromise === "function") {
      mj.typesetPromise(element ? [element] : undefined).catch(function () {});
    } else if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(function () { queue(command); });
    }
  }
  var hub = { Queue: queue };

  function install() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = hub;
    }
  }

  if (window.MathJax && !window.MathJax.version) {
    // Still the configuration object: MathJax 3 replaces it when it starts, so also
    // install the shim once MathJax is ready.
    var config = window.MathJax;
    config.startup = config.startup || {};
    var userReady = config.startup.ready;
    config.startup.ready = function () {
      if (userReady) { userReady(); } else { window.MathJax.startup.defaultReady(); }
      install();
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
