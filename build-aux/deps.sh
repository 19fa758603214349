#!/usr/bin/env bash
# Installs what K-AI Arena needs to build, run and test on Debian 12 (bookworm).
# Safe to run again: it only calls apt-get when a package is missing.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libmd4c-dev libsodium-dev nettle-dev
  libgtksourceview-5-dev
  desktop-file-utils appstream
  xvfb xauth dbus-daemon dbus-x11 at-spi2-core systemd libatspi2.0-dev
  fonts-noto-cjk adwaita-icon-theme gsettings-desktop-schemas
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
