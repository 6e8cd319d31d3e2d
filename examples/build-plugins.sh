#!/bin/sh
# Builds the example plugins against this checkout: links examples/<plugin>/node_modules/ocvm to the
# repo (what `npm install` does for their `file:../..` devDependency, without the network) and
# compiles them with the repo's TypeScript. Run by `npm run build`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root"/examples/ocvm-driver-*/; do
  mkdir -p "$dir/node_modules"
  # Keep a real install (npm install in the example) if there is one.
  [ -e "$dir/node_modules/ocvm/package.json" ] || ln -sfn ../../.. "$dir/node_modules/ocvm"
  rm -rf "$dir/dist"
  "$root/node_modules/.bin/tsc" -p "$dir/tsconfig.json"
done
