"""Draw the owner app's icons (public/h5/icons/*.png): a white house on blue, plain PNG written with zlib only.

Run from frontend/: python3 h5/draw-icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLUE = (25, 137, 250)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "h5" / "icons"


def inside_house(x: float, y: float) -> bool:
    """The shape on a unit square: a roof triangle, a body, and a door cut out of it."""
    roof = 0.22 <= y <= 0.50 and abs(x - 0.5) <= (y - 0.22) / 0.28 * 0.32
    body = 0.46 <= y <= 0.78 and 0.26 <= x <= 0.74
    door = 0.58 <= y <= 0.78 and 0.44 <= x <= 0.56
    return (roof or body) and not door


def inside_rounded(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def draw(size: int, *, rounded: bool, scale: float) -> bytes:
    """RGBA rows; 4x4 supersampling for smooth edges. `scale` shrinks the house (maskable icons need a safe zone)."""
    rows = bytearray()
    n = 4
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            bg = fg = 0
            for sy in range(n):
                for sx in range(n):
                    x = (px + (sx + 0.5) / n) / size
                    y = (py + (sy + 0.5) / n) / size
                    if rounded and not inside_rounded(x, y, 0.18):
                        continue
                    bg += 1
                    hx, hy = 0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale
                    if inside_house(hx, hy):
                        fg += 1
            total = n * n
            alpha = round(255 * bg / total)
            mix = fg / bg if bg else 0
            rgb = [round(b * (1 - mix) + w * mix) for b, w in zip(BLUE, WHITE, strict=True)]
            rows += bytes([*rgb, alpha])
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rgba_rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size, draw(size, rounded=True, scale=1.0)))
    (OUT / "icon-maskable-512.png").write_bytes(png(512, draw(512, rounded=False, scale=0.8)))
