#!/usr/bin/env bash
# Re-fetch the JavaScript that the built book loads from _static/ instead of a CDN.
#
# Run by hand when upgrading (NOT at build or test time); needs node/npm and the npm registry.
#   bash scripts/vendor_js.sh
# It replaces _static/vendor/{requirejs,html-manager,mathjax}/ with exactly the files the
# pages load (checked in headless Chromium by tests/test_browser.py: no request may leave
# 127.0.0.1). Update the versions below and in _static/VENDORED.md together.
set -euo pipefail

REQUIREJS_VERSION=2.3.8
HTML_MANAGER_VERSION=1.0.15     # @jupyter-widgets/html-manager 1.0.x <-> ipywidgets 8
MATHJAX_VERSION=3.2.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/_static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "requirejs@${REQUIREJS_VERSION}" \
    "@jupyter-widgets/html-manager@${HTML_MANAGER_VERSION}" \
    "mathjax@${MATHJAX_VERSION}" >/dev/null
for tgz in *.tgz; do
    mkdir -p "x/${tgz%.tgz}"
    tar xzf "$tgz" -C "x/${tgz%.tgz}"
done
rj="x/requirejs-${REQUIREJS_VERSION}/package"
hm="x/jupyter-widgets-html-manager-${HTML_MANAGER_VERSION}/package"
mj="x/mathjax-${MATHJAX_VERSION}/package"

rm -rf "$dest/requirejs" "$dest/html-manager" "$dest/mathjax"
mkdir -p "$dest/requirejs" "$dest/html-manager" "$dest/mathjax"

# RequireJS: the AMD loader that embed-amd.js needs.
cp "$rj/require.js" "$dest/requirejs/"
head -n 8 "$rj/require.js" > "$dest/requirejs/LICENSE-header.txt"

# Widget manager for saved widget state: embed-amd.js is self-contained (it defines the
# base, controls, output and html-manager modules; libembed-amd.js is never requested);
# the woff2 files are the Font Awesome icons its CSS references (browsers take woff2
# first, so the .woff/.ttf/.eot/.svg fallbacks are not vendored). _static/offline/
# widgets-config.js maps the module folder to _static/vendor/html-manager/ so they load.
cp "$hm/dist/embed-amd.js" "$hm/dist/embed.js.LICENSE.txt" "$dest/html-manager/"
cp "$hm"/dist/*.woff2 "$dest/html-manager/"

# MathJax 3, CommonHTML output: the combined component, the TeX extensions that autoload
# may pull in, the menu/a11y components it loads lazily, and the woff-v2 fonts.
cp "$mj/LICENSE" "$dest/mathjax/"
cp "$mj/es5/tex-chtml.js" "$dest/mathjax/"
mkdir -p "$dest/mathjax/input/tex" "$dest/mathjax/output/chtml/fonts"
cp -r "$mj/es5/input/tex/extensions" "$dest/mathjax/input/tex/"
cp -r "$mj/es5/output/chtml/fonts/woff-v2" "$dest/mathjax/output/chtml/fonts/"
cp -r "$mj/es5/ui" "$dest/mathjax/"
cp "$mj/es5/a11y/assistive-mml.js" "$mj/es5/a11y/semantic-enrich.js" "$dest/mathjax/" 2>/dev/null || true
mkdir -p "$dest/mathjax/a11y"
mv "$dest/mathjax/assistive-mml.js" "$dest/mathjax/semantic-enrich.js" "$dest/mathjax/a11y/" 2>/dev/null || true

echo "vendored into $dest:"
du -sh "$dest"/*
