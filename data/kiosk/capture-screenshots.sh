#!/bin/sh
# capture-screenshots.sh: docs/screenshots/kiosk-*.png from a built tree, under Xvfb.
# A developer tool (not installed). Needs xvfb-run, xdotool and ImageMagick's import, and
# the ko_KR.UTF-8 locale for Korean captures (localedef -i ko_KR -f UTF-8 ko_KR.UTF-8).
#
# usage: data/kiosk/capture-screenshots.sh BUILD_DIR [OUT_DIR]
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

build=$(cd "${1:?usage: $0 BUILD_DIR [OUT_DIR]}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$src/docs/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export LANGUAGE=ko LANG=ko_KR.UTF-8 GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
export GSETTINGS_SCHEMA_DIR="$build/data"

# One app run on a fresh Xvfb screen: $1 screen size, $2 output file, then xdotool steps.
shot () {
  size=$1 file=$2; shift 2
  cat > "$work/run.sh" <<SCRIPT
#!/bin/sh
"$build/src/kai-arena" --kiosk --database "$work/kiosk.sqlite3" --pack "$src/data/packs/sample-ko.json" &
app=\$!
sleep 4
$*
sleep 1.5
import -window root "$out/$file"
kill \$app
wait \$app 2>/dev/null || true
SCRIPT
  chmod +x "$work/run.sh"
  xvfb-run -a -s "-screen 0 ${size}x24" "$work/run.sh"
  echo "wrote $out/$file"
}

tap='xdotool mousemove 400 400 click 1; sleep 2'

shot 1920x1080 kiosk-attract.png ':'
shot 1920x1080 kiosk-battle-1920x1080.png "$tap"
shot 1080x1920 kiosk-battle-portrait.png "$tap"

# The operator panel, after two votes, behind a PIN set with the admin tool.
printf '%s\n' 24681357 | "$build/src/kai-arena-admin" kiosk set-pin --database "$work/kiosk.sqlite3" >/dev/null
shot 1920x1080 kiosk-operator-panel.png "$tap; xdotool key 1; sleep 1.5; xdotool key n; sleep 1; xdotool key 2; sleep 1.5; xdotool key ctrl+alt+shift+k; sleep 1; xdotool type --delay 80 24681357; xdotool key Return; sleep 2"
