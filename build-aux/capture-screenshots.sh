#!/bin/sh
# capture-screenshots.sh: docs/screenshots/battle-{ko,en}.png (a battle before the vote) and
# reveal-{ko,en}.png (the same battle after voting "A is better") from a built tree, under
# Xvfb. A developer tool (not installed). Needs xvfb-run, xdotool and ImageMagick's import.
#
# usage: build-aux/capture-screenshots.sh BUILD_DIR [OUT_DIR]
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

build=$(cd "${1:?usage: $0 BUILD_DIR [OUT_DIR]}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$src/docs/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 GTK_A11Y=none
export GSETTINGS_BACKEND=memory ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
export GSETTINGS_SCHEMA_DIR="$build/data"

# $1 language; one app run: accept the privacy notice, capture the battle, vote 1, capture.
capture () {
  lang=$1
  cat > "$work/$lang.sh" <<SCRIPT
#!/bin/sh
export LANGUAGE=$lang XDG_CONFIG_HOME="$work/$lang/config" XDG_DATA_HOME="$work/$lang/data"
"$build/src/kai-arena" --database "$work/$lang/arena.sqlite3" --pack "$src/data/packs/sample-ko.json" &
app=\$!
sleep 4
xdotool search --sync --onlyvisible --class kai-arena windowsize 1400 900 2>/dev/null || true
sleep 1
# The first run shows the privacy notice with the focus on "Agree and Start".
xdotool key Return
sleep 2
import -window root -crop 1400x900+0+0 "$out/battle-$lang.png"
xdotool key 1
sleep 2
import -window root -crop 1400x900+0+0 "$out/reveal-$lang.png"
kill \$app
wait \$app 2>/dev/null || true
SCRIPT
  chmod +x "$work/$lang.sh"
  xvfb-run -a -s "-screen 0 1400x900x24" "$work/$lang.sh"
  echo "wrote $out/battle-$lang.png $out/reveal-$lang.png"
}

capture ko
capture en
