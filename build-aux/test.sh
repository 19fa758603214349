#!/usr/bin/env bash
# Fresh Debian 12 machine: install dependencies, build into _build with warnings as
# errors, and run every test under Xvfb and a private D-Bus session; then, unless tests are
# named on the command line, the mutation suite (build-aux/mutate.py, docs/testing.md),
# which fails when a planted bug survives the tests that guard it.
set -euo pipefail
cd "$(dirname "$0")/.."

build-aux/deps.sh

if [ ! -f _build/build.ninja ]; then
  meson setup _build --werror -Ddevelopment=true -Dc_args=-Werror=deprecated-declarations
fi
ninja -C _build

xvfb-run -a -s "-screen 0 1280x1024x24" \
  dbus-run-session -- \
  meson test -C _build --print-errorlogs "$@"

if [ "$#" -eq 0 ]; then
  xvfb-run -a -s "-screen 0 1280x1024x24" \
    dbus-run-session -- \
    meson test -C _build --print-errorlogs --suite mutation
fi
