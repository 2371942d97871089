#!/usr/bin/env bash
# Re-fetch the JavaScript that the built book loads from _static/ instead of a CDN.
#
# Run by hand when upgrading (NOT at build or test time); needs node/npm and the npm registry.
#   bash scripts/vendor_js.sh
# It replaces _static/vendor/mathjax/ with exactly the files the
# pages load (checked in headless Chromium by tests/test_browser.py: no request may leave
# 127.0.0.1). Update the versions below and in _static/VENDORED.md together.
set -euo pipefail

MATHJAX_VERSION=3.2.2
# (Widgets need no JavaScript package: their frame player is _static/widgets.js.)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/_static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "mathjax@${MATHJAX_VERSION}" >/dev/null
for tgz in *.tgz; do
    mkdir -p "x/${tgz%.tgz}"
    tar xzf "$tgz" -C "x/${tgz%.tgz}"
done
mj="x/mathjax-${MATHJAX_VERSION}/package"

rm -rf "$dest/mathjax"
mkdir -p "$dest/mathjax"

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
