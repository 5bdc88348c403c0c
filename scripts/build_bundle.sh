#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/neascn-desktop/ and check it before anyone ships it:
# the frozen self-test, the CLI's --version, and the folder's size (limit: NEASCN_BUNDLE_LIMIT_MB,
# default 200).  Uses $PYTHON (default: python) and installs the `build` extra if PyInstaller is
# missing.  Any failure stops the script with a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python}"
limit_mb="${NEASCN_BUNDLE_LIMIT_MB:-200}"
bundle="dist/neascn-desktop"

if ! "$python" -m PyInstaller --version >/dev/null 2>&1; then
    echo "+ $python -m pip install -e '.[build]'"
    "$python" -m pip install -q -e '.[build]'
fi

echo "+ $python scripts/make_icons.py build/icons"
"$python" scripts/make_icons.py build/icons >/dev/null

echo "+ pyinstaller build.spec --noconfirm --clean"
"$python" -m PyInstaller build.spec --noconfirm --clean --log-level WARN

case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*)
        # The windowed neascn-desktop.exe has no console: its self-test (which includes the
        # error hook with sys.stderr = None) writes its report to a file.
        gui="$bundle/neascn-desktop.exe" cli="$bundle/neascn.exe" window="" ;;
    Darwin)
        app="dist/NEASCN Desktop.app"
        [ -d "$app" ] || { echo "error: $app was not built" >&2; exit 1; }
        plutil -lint "$app/Contents/Info.plist"
        grep -q "org.neascn.package" "$app/Contents/Info.plist" \
            || { echo "error: the .neascn document type is missing from Info.plist" >&2; exit 1; }
        gui="$app/Contents/MacOS/neascn-desktop" cli="$app/Contents/MacOS/neascn" window="$gui" ;;
    *)
        gui="$bundle/neascn-desktop" cli="$bundle/neascn" window="$gui" ;;
esac

report="$(mktemp)"
echo "+ $gui --self-test"
if ! NEASCN_SELF_TEST_REPORT="$report" "$gui" --self-test; then
    cat "$report"; rm -f "$report"; exit 1
fi
cat "$report"
grep -q '^ok   error-hook:' "$report" \
    || { echo "error: the windowed error path was not checked" >&2; rm -f "$report"; exit 1; }
rm -f "$report"
echo "+ $cli --version"
"$cli" --version

# The frozen window itself: a profile made by the frozen CLI, then the GUI until its first
# paint (NEASCN_STARTUP_PROBE=1 makes it print the time and quit) on a real X server when
# Xvfb is there, else on Qt's offscreen platform.
probe_dir="$(mktemp -d)"
xvfb_pid=""
cleanup() {
    if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
    rm -rf "$probe_dir"
}
trap cleanup EXIT
if [ -n "$window" ]; then
    "$cli" --data-dir "$probe_dir/data" init --name "Bundle check" --role field >/dev/null
    platform="${QT_QPA_PLATFORM:-}"
    if [ -z "${DISPLAY:-}" ] && [ -z "$platform" ]; then
        if command -v Xvfb >/dev/null; then
            display_number=$((90 + RANDOM % 9))
            Xvfb ":$display_number" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
            xvfb_pid=$!
            export DISPLAY=":$display_number"
            for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display_number" ] && break; sleep 0.1; done
        else
            export QT_QPA_PLATFORM=offscreen
        fi
    fi
    echo "+ $window --data-dir ... (first paint, DISPLAY=${DISPLAY:-none} QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-default})"
    deadline=()
    if command -v timeout >/dev/null; then deadline=(timeout 120); fi
    probe="$(NEASCN_STARTUP_PROBE=1 ${deadline[@]+"${deadline[@]}"} "$window" --data-dir "$probe_dir/data" \
        2>/dev/null || true)"
    if ! grep -q '^neascn-startup first-paint' <<<"$probe"; then
        echo "error: the frozen window did not open" >&2
        exit 1
    fi
    echo "window OK"
else
    echo "(window check skipped: the windowed .exe cannot report to a console)"
fi

size_mb="$(du -sm "$bundle" | cut -f1)"
echo "bundle: $bundle $(du -sh "$bundle" | cut -f1) (${size_mb} MB; limit ${limit_mb} MB)"
echo "largest files:"
find "$bundle" -type f -printf '%s %P\n' 2>/dev/null | sort -rn | head -n 8 \
    | awk '{ printf "  %6.1f MB  %s\n", $1 / 1048576, $2 }' || true
if [ "$size_mb" -ge "$limit_mb" ]; then
    echo "error: the bundle is ${size_mb} MB, over the limit of ${limit_mb} MB" >&2
    exit 1
fi
echo "bundle OK"
