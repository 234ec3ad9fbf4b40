#!/bin/sh
# Builds and runs the screenshot tool against the real window over loopback, writing docs/screenshots/*.png.
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default: build). Uses the offscreen platform unless DISPLAY is set
# and SCREENSHOTS_PLATFORM=xcb (then run it under: xvfb-run -a -s "-screen 0 1280x800x24" scripts/screenshots.sh).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target tlslab_screenshots -j"$(nproc)"
out="$root/docs/screenshots"
mkdir -p "$out"
QT_QPA_PLATFORM=${SCREENSHOTS_PLATFORM:-offscreen} \
QT_LOGGING_RULES="qt.network.ssl.warning=false" \
    "$build/tests/widgets/tlslab_screenshots" "$out"
# Keep the PNGs small: 8-bit palette when ImageMagick is there.
if command -v convert >/dev/null 2>&1; then
    for f in "$out"/main-live-session.png "$out"/main-live-session-dark.png "$out"/plaintext-refused.png \
             "$out"/certificate-details.png "$out"/pending-decision.png "$out"/pending-decision-dark.png \
             "$out"/main-1024x768-ladder.png "$out"/main-1024x768-ladder-dark.png "$out"/ladder-failed.png \
             "$out"/ladder-failed-dark.png "$out"/capture-window.png "$out"/hello-*.png "$out"/chain-strip*.png; do
        convert "$f" -strip -colors 256 PNG8:"$f.tmp" && mv "$f.tmp" "$f"
    done
fi
ls -l "$out"
