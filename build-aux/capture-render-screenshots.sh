#!/bin/sh
# capture-render-screenshots.sh: docs/screenshots/render-<defect>-<suffix>.png, one battle per
# renderer defect of issue 9 (packs from build-aux/make-render-packs.py: real answers of the
# shipped Korean sample), in Korean, under Xvfb. A developer tool (not installed). Needs
# python3, xvfb-run, xdotool and ImageMagick's import.
#
# usage: build-aux/capture-render-screenshots.sh BUILD_DIR SUFFIX [OUT_DIR]
#   e.g. build-aux/capture-render-screenshots.sh _build after
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

build=$(cd "${1:?usage: $0 BUILD_DIR SUFFIX [OUT_DIR]}" && pwd)
suffix=${2:?usage: $0 BUILD_DIR SUFFIX [OUT_DIR]}
src=$(cd "$(dirname "$0")/.." && pwd)
out=${3:-$src/docs/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 GTK_A11Y=none
export GSETTINGS_BACKEND=memory ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
export GSETTINGS_SCHEMA_DIR="$build/data"

python3 "$src/build-aux/make-render-packs.py" "$work/packs" >/dev/null

for pack in "$work"/packs/*.json; do
  name=$(basename "$pack" .json)
  cat > "$work/$name.sh" <<SCRIPT
#!/bin/sh
export LANGUAGE=ko XDG_CONFIG_HOME="$work/$name/config" XDG_DATA_HOME="$work/$name/data"
"$build/src/kai-arena" --database "$work/$name/arena.sqlite3" --pack "$pack" &
app=\$!
sleep 4
xdotool search --sync --onlyvisible --class kai-arena windowsize 1400 900 2>/dev/null || true
sleep 1
xdotool key Return
sleep 3
import -window root -crop 1400x900+0+0 "$out/render-$name-$suffix.png"
kill \$app
wait \$app 2>/dev/null || true
SCRIPT
  chmod +x "$work/$name.sh"
  xvfb-run -a -s "-screen 0 1400x900x24" "$work/$name.sh"
  echo "wrote $out/render-$name-$suffix.png"
done
