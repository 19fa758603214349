#!/bin/sh
# capture-panes-screenshots.sh: the screenshots of issue 9 (equal panes, large packs) from a
# built tree, under Xvfb, in Korean. A developer tool (not installed). Needs xvfb-run,
# libXtst, ImageMagick's import and python3 (keys are sent with XTest through ctypes).
#
#   battle-start-window-TAG.png  the first battle in the window, just after "Agree and Start"
#   battle-start-kiosk-TAG.png   the first battle of a kiosk visitor, just after the wake key
#   large-pack-open-TAG.png      1.5 s after starting on a ~50 MB pack
#   large-pack-build-TAG.png     `pack build` of 72 models × 2,800 prompts (the terminal)
#
# TAG is "before" or "after" (the second argument), so that a fix can be shown against the
# code it replaced.
#
# usage: build-aux/capture-panes-screenshots.sh BUILD_DIR TAG [OUT_DIR]
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

build=$(cd "${1:?usage: $0 BUILD_DIR TAG [OUT_DIR]}" && pwd)
tag=${2:?usage: $0 BUILD_DIR TAG [OUT_DIR]}
src=$(cd "$(dirname "$0")/.." && pwd)
out=${3:-$src/docs/screenshots}
data=${KA_SHARED_DATA:-$src/../shared/data}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export LANGUAGE=ko LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 GTK_A11Y=none
export GSETTINGS_BACKEND=keyfile ADW_DISABLE_PORTAL=1 GDK_BACKEND=x11
export GSETTINGS_SCHEMA_DIR="$build/data"

# $1 name, $2 extra arguments, $3 steps after start-up; the steps end with captures.
run () {
  name=$1 args=$2 steps=$3
  mkdir -p "$work/$name/config/glib-2.0/settings"
  printf '[io/github/kaiarena/Arena]\nwindow-width=1280\nwindow-height=860\n' \
    > "$work/$name/config/glib-2.0/settings/keyfile"
  cat > "$work/$name.sh" <<SCRIPT
#!/bin/sh
export XDG_CONFIG_HOME="$work/$name/config" XDG_DATA_HOME="$work/$name/data"
"$build/src/kai-arena" --database "$work/$name/arena.sqlite3" $args &
app=\$!
$steps
kill \$app
wait \$app 2>/dev/null || true
SCRIPT
  chmod +x "$work/$name.sh"
  xvfb-run -a -s "-screen 0 1280x860x24" "$work/$name.sh"
}

sample="--pack $src/data/packs/sample-ko.json"
parts=${KA_SHOTS:-window kiosk large build}
want () { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# $key KEYSYM: one key press and release on the X display, through XTest.
cat > "$work/key.py" <<'PY'
import ctypes, sys, time
x11 = ctypes.CDLL("libX11.so.6"); xtst = ctypes.CDLL("libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XStringToKeysym.restype = ctypes.c_ulong
dpy = ctypes.c_void_p(x11.XOpenDisplay(None))
code = x11.XKeysymToKeycode(dpy, ctypes.c_ulong(x11.XStringToKeysym(sys.argv[1].encode())))
for down in (1, 0):
    xtst.XTestFakeKeyEvent(dpy, code, down, 0); x11.XFlush(dpy); time.sleep(0.05)
x11.XCloseDisplay(dpy)
PY
key="python3 $work/key.py"

# The window: the privacy notice has the focus on "Agree and Start".
want window && run window "$sample" "sleep 4
$key Return
sleep 2
import -window root \"$out/battle-start-window-$tag.png\""
want window && echo "wrote $out/battle-start-window-$tag.png"

# The kiosk: any key wakes it from the attract screen.
want kiosk && run kiosk "--kiosk $sample" "sleep 4
$key space
sleep 3
import -window root \"$out/battle-start-kiosk-$tag.png\""
want kiosk && echo "wrote $out/battle-start-kiosk-$tag.png"

# A large pack, as organisers will have them: the ko-arena-hard source replicated to 2,800
# prompts (new IDs), built with the real builder.
if { want large || want build; } && [ -d "$data/ko_arena_hard" ]; then
  python3 - "$data/ko_arena_hard" "$work/large-src" 28 12 <<'PY'
import json, os, sys
src, dst, copies, extra_models = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(os.path.join(dst, "model_answer"))
def rewrite(path, out, key):
    with open(path, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        lines = [json.loads(l) for l in f if l.strip()]
        for c in range(copies):
            for obj in lines:
                obj = dict(obj); obj[key] = "%s-%03d" % (obj[key], c)
                o.write(json.dumps(obj, ensure_ascii=False) + "\n")
rewrite(os.path.join(src, "question.jsonl"), os.path.join(dst, "question.jsonl"), "question_id")
names = sorted(os.listdir(os.path.join(src, "model_answer")))
for n in names:
    rewrite(os.path.join(src, "model_answer", n), os.path.join(dst, "model_answer", n), "question_id")
# Sixty-six more "models" (copies of the six), for a source with 72 models.
for i in range(extra_models * len(names) - len(names)):
    n = names[i % len(names)]
    os.symlink(os.path.join(dst, "model_answer", n),
               os.path.join(dst, "model_answer", "%s-v%02d.jsonl" % (n[:-6], i)))
PY
  # 50 MB: six models. 72 models: the over-limit build.
  mkdir -p "$work/six/model_answer"
  cp "$work/large-src/question.jsonl" "$work/six/"
  for f in "$work/large-src/model_answer/"*; do
    case $f in *-v[0-9][0-9].jsonl) ;; *) cp "$f" "$work/six/model_answer/" ;; esac
  done
  "$build/src/kai-arena-admin" pack build --from ko-arena-hard --source "$work/six" \
    -o "$work/large.json" >/dev/null 2>&1
  ls -la "$work/large.json"

  want large && run large "--pack $work/large.json" "sleep 1.5
import -window root \"$out/large-pack-open-$tag.png\"
sleep 20"
  want large && echo "wrote $out/large-pack-open-$tag.png"

  # The terminal: what `pack build` prints for 72 models × 2,800 prompts, and how long it
  # took, as text set in an image.
  want build || exit 0
  start=$(date +%s.%N)
  "$build/src/kai-arena-admin" pack build --from ko-arena-hard --source "$work/large-src" \
    -o "$work/too-large.json" > "$work/build.txt" 2>&1 || true
  end=$(date +%s.%N)
  {
    echo "\$ kai-arena-admin pack build --from ko-arena-hard --source big-source -o pack.json"
    grep -v '^  flagged:' "$work/build.txt" | sed "s|$work/large-src|big-source|g" | tail -n 12
    printf '(exit after %.1f s)\n' "$(echo "$end - $start" | bc)"
  } > "$work/terminal.txt"
  convert -size 1280x -background '#1e1e1e' -fill '#e0e0e0' -font DejaVu-Sans-Mono \
    -pointsize 15 caption:"$(cat "$work/terminal.txt")" "$out/large-pack-build-$tag.png"
  echo "wrote $out/large-pack-build-$tag.png"
fi
