#!/usr/bin/env bash
# Fresh Debian 12 machine: install dependencies, build into _build, run the app on the
# built-in Korean sample pack. Extra arguments go to kai-arena (e.g. --pack FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/deps.sh

if [ ! -f _build/build.ninja ]; then
  meson setup _build -Ddevelopment=true
fi
ninja -C _build

export GSETTINGS_SCHEMA_DIR="$PWD/_build/data"
exec _build/src/kai-arena --pack data/packs/sample-ko.json "$@"
