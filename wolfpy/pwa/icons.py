"""Square PNG icons drawn in pure Python (no imaging library): a coloured background,
a white ring and a dot, for ``wolfpy generate pwa``."""
from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from ``rows`` of ``width * 3`` bytes."""
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def icon(size: int, background: str = "#1d4ed8", foreground: str = "#ffffff") -> bytes:
    """A ``size``×``size`` icon: the background edge to edge (safe as a maskable icon),
    a ring and a dot inside the central 60%."""
    bg, fg = bytes(hex_rgb(background)), bytes(hex_rgb(foreground))
    c = (size - 1) / 2
    outer, inner, dot = size * 0.30, size * 0.22, size * 0.09
    rows = []
    for y in range(size):
        row = bytearray()
        dy2 = (y - c) ** 2
        for x in range(size):
            d2 = (x - c) ** 2 + dy2
            row += fg if (inner * inner <= d2 <= outer * outer or d2 <= dot * dot) else bg
        rows.append(bytes(row))
    return png(size, size, rows)
