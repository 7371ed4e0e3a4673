"""Print the advance widths of a TrueType font as the table in
`src/usmctl/output/report/textwidth.py` (development script, not in the wheel).

    python tools/font_widths.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

Reads the ``head``, ``hhea``, ``hmtx`` and ``cmap`` (format 4) tables with the
standard library only; widths are in thousandths of an em, rounded up.
"""

from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

RANGES = ((0x20, 0x250), (0x370, 0x500), (0x2000, 0x2070))


def _tables(data: bytes) -> dict[str, bytes]:
    (count,) = struct.unpack(">H", data[4:6])
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * index : 28 + 16 * index])
        tables[tag.decode("latin-1")] = data[offset : offset + length]
    return tables


def _cmap(table: bytes) -> dict[int, int]:
    (count,) = struct.unpack(">H", table[2:4])
    for index in range(count):
        platform, encoding, offset = struct.unpack(">HHI", table[4 + 8 * index : 12 + 8 * index])
        if (platform, encoding) in ((3, 1), (0, 3)) and struct.unpack(
            ">H", table[offset : offset + 2]
        )[0] == 4:
            sub = table[offset:]
            segments = struct.unpack(">H", sub[6:8])[0] // 2
            ends = struct.unpack(f">{segments}H", sub[14 : 14 + 2 * segments])
            base = 16 + 2 * segments
            starts = struct.unpack(f">{segments}H", sub[base : base + 2 * segments])
            deltas = struct.unpack(f">{segments}h", sub[base + 2 * segments : base + 4 * segments])
            ranges_at = base + 4 * segments
            offsets = struct.unpack(f">{segments}H", sub[ranges_at : ranges_at + 2 * segments])
            glyphs: dict[int, int] = {}
            for seg in range(segments):
                for code in range(starts[seg], ends[seg] + 1):
                    if offsets[seg] == 0:
                        glyph = (code + deltas[seg]) & 0xFFFF
                    else:
                        at = ranges_at + 2 * seg + offsets[seg] + 2 * (code - starts[seg])
                        (glyph,) = struct.unpack(">H", sub[at : at + 2])
                        glyph = (glyph + deltas[seg]) & 0xFFFF if glyph else 0
                    if glyph:
                        glyphs[code] = glyph
            return glyphs
    raise SystemExit("no Unicode BMP cmap (format 4)")


def widths(path: Path) -> dict[int, int]:
    tables = _tables(path.read_bytes())
    (units,) = struct.unpack(">H", tables["head"][18:20])
    (metrics,) = struct.unpack(">H", tables["hhea"][34:36])
    advances = struct.unpack(f">{2 * metrics}H", tables["hmtx"][: 4 * metrics])[::2]
    glyphs = _cmap(tables["cmap"])
    return {
        code: math.ceil(1000 * advances[min(glyph, metrics - 1)] / units)
        for code, glyph in glyphs.items()
    }


def main() -> None:
    table = widths(Path(sys.argv[1]))
    for start, end in RANGES:
        row = [table.get(code, 0) for code in range(start, end)]
        print(f"    (0x{start:04X}, (")
        for index in range(0, len(row), 16):
            print("        " + " ".join(f"{value}," for value in row[index : index + 16]))
        print("    )),")


if __name__ == "__main__":
    main()
