#!/bin/sh
# capture-a11y-screenshots.sh: docs/screenshots/{privacy-notice,high-contrast,large-text}.png
# from a built tree, under Xvfb, in Korean. A developer tool (not installed). Needs
# xvfb-run, xdotool, ImageMagick's import and xsettingsd.
#
# The settings are the ones a user changes, not app-specific switches:
#   high contrast  org.gnome.desktop.a11y.interface high-contrast = true, which libadwaita
#                  1.2 reads through GSettings when there is no settings portal;
#   large text     Xft/DPI = 2 × 96 dpi over XSETTINGS, which is what GNOME's
#                  text-scaling-factor 2.0 sends a GTK 4 app on X11 (gsd-xsettings; here
#                  xsettingsd, as Xvfb has no settings daemon).
# Note that GTK 4 ignores gtk-xft-dpi in settings.ini and Xft.dpi resources on X11.
#
# usage: build-aux/capture-a11y-screenshots.sh BUILD_DIR [OUT_DIR]
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

export LANGUAGE=ko LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 GTK_A11Y=none
export GSETTINGS_BACKEND=keyfile ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
export GSETTINGS_SCHEMA_DIR="$build/data"

# One app run on a fresh Xvfb screen: $1 name, $2 output file, then xdotool steps.
# Each run has its own configuration folder, database and settings; an XSETTINGS file
# $work/$name/xsettings, if there is one, is served by xsettingsd.
shot () {
  name=$1 file=$2; shift 2
  cat > "$work/$name.sh" <<SCRIPT
#!/bin/sh
export XDG_CONFIG_HOME="$work/$name/config" XDG_DATA_HOME="$work/$name/data"
xs=
if [ -f "$work/$name/xsettings" ]; then
  xsettingsd -c "$work/$name/xsettings" 2>/dev/null &
  xs=\$!
  sleep 1
fi
"$build/src/kai-arena" --database "$work/$name/ballots.sqlite3" --pack "$src/data/packs/sample-ko.json" &
app=\$!
sleep 4
$*
sleep 1.5
import -window root "$out/$file"
kill \$app \$xs
wait \$app 2>/dev/null || true
SCRIPT
  chmod +x "$work/$name.sh"
  xvfb-run -a -s "-screen 0 1280x860x24" "$work/$name.sh"
  echo "wrote $out/$file"
}

# $1 name, then lines for the GSettings keyfile.
keyfile () {
  name=$1; shift
  mkdir -p "$work/$name/config/glib-2.0/settings"
  printf '%s\n' "$@" > "$work/$name/config/glib-2.0/settings/keyfile"
}

window='[io/github/kaiarena/Arena]' size='window-width=1280' height='window-height=860'
agree='xdotool key Return; sleep 2'

keyfile notice "$window" "$size" "$height"
shot notice privacy-notice.png ':'

keyfile hc "$window" "$size" "$height" '[org/gnome/desktop/a11y/interface]' 'high-contrast=true'
shot hc high-contrast.png "$agree"

keyfile large "$window" "$size" "$height"
printf 'Xft/DPI 196608\n' > "$work/large/xsettings"
shot large large-text.png "$agree"
