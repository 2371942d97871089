#!/usr/bin/env bash
# Re-fetch the JavaScript that the built book loads from _static/ instead of a CDN.
#
# Run by hand when upgrading (NOT at build or test time); needs node/npm and the npm registry.
#   bash scripts/vendor_js.sh
# It replaces _static/vendor/katex/ with exactly the files the pages load (checked in
# headless Chromium by tests/test_browser.py: no request may leave 127.0.0.1, no formula
# may fail to render). Update the version below and in _static/VENDORED.md together.
set -euo pipefail

KATEX_VERSION=0.16.47
# (Widgets need no JavaScript package: their frame player is _static/widgets.js.)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/_static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "katex@${KATEX_VERSION}" >/dev/null
mkdir x
tar xzf "katex-${KATEX_VERSION}.tgz" -C x
kx="x/package"

rm -rf "$dest/katex"
mkdir -p "$dest/katex/fonts"

# KaTeX: the minified script and stylesheet (rendering is done by _ext/katex_math.py's inline
# script, so no auto-render), and the woff2 fonts the stylesheet names first.
cp "$kx/LICENSE" "$kx/dist/katex.min.js" "$kx/dist/katex.min.css" "$dest/katex/"
cp "$kx"/dist/fonts/*.woff2 "$dest/katex/fonts/"

echo "vendored into $dest:"
du -sh "$dest"/*
