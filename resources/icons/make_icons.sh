#!/bin/sh
# Render the Earmark application icon from earmark.svg (and earmark-16.svg,
# a simplified drawing used for the 16 px image inside the .ico).
#
# Usage (from anywhere):  sh resources/icons/make_icons.sh
#
# Needs a Python with PySide6 (QtSvg is part of PySide6-Essentials); set
# PYTHON to choose it, e.g. PYTHON=/work/venv/bin/python. Also needs
# ImageMagick's `convert` for the multi-size Windows .ico.
#
# Writes, next to this script:
#   earmark.png     256x256
#   earmark-48.png  48x48
#   earmark.ico     16, 32, 48 and 256 px images
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Qt renders each size straight from the vector, so small sizes stay crisp.
QT_QPA_PLATFORM=offscreen "$python" - "$here" "$tmp" <<'EOF'
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

app = QGuiApplication(sys.argv[:1])
src, out = sys.argv[1], sys.argv[2]
for size in (16, 32, 48, 256):
    svg = f"{src}/earmark-16.svg" if size == 16 else f"{src}/earmark.svg"
    renderer = QSvgRenderer(svg)
    if not renderer.isValid():
        sys.exit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(f"{out}/earmark-{size}.png"):
        sys.exit(f"cannot write {out}/earmark-{size}.png")
EOF

cp "$tmp/earmark-256.png" "$here/earmark.png"
cp "$tmp/earmark-48.png" "$here/earmark-48.png"
convert "$tmp/earmark-16.png" "$tmp/earmark-32.png" "$tmp/earmark-48.png" \
    "$tmp/earmark-256.png" "$here/earmark.ico"

echo "wrote $here/earmark.png, earmark-48.png and earmark.ico"
