"""A JPEG with EXIF made by hand for the photo tests: an APP1 `Exif` segment holding an Orientation tag, a GPS IFD
(latitude and longitude) and a text canary, spliced in after the SOI of a JPEG the browser drew. Pillow is not a
dependency; the TIFF layout is small enough to write here (big-endian, offsets from the TIFF header)."""

from __future__ import annotations

import struct

CANARY = b"GPS-CANARY-51.5007N"


def _entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
    return struct.pack(">HHI", tag, kind, count) + value.ljust(4, b"\0")


def exif_segment(orientation: int = 6) -> bytes:
    """APP1 with IFD0 (Orientation, ImageDescription = CANARY, GPSInfo) and a GPS IFD (N 51°30'2", W 0°7'40")."""
    ifd0_at = 8
    ifd0_count = 3
    ifd0_size = 2 + 12 * ifd0_count + 4
    desc_at = ifd0_at + ifd0_size
    desc = CANARY + b"\0"
    gps_at = desc_at + len(desc)
    gps_count = 4
    gps_size = 2 + 12 * gps_count + 4
    lat_at = gps_at + gps_size
    lon_at = lat_at + 24
    ifd0 = struct.pack(">H", ifd0_count)
    ifd0 += _entry(0x0112, 3, 1, struct.pack(">H", orientation))  # Orientation, SHORT
    ifd0 += _entry(0x010E, 2, len(desc), struct.pack(">I", desc_at))  # ImageDescription, ASCII
    ifd0 += _entry(0x8825, 4, 1, struct.pack(">I", gps_at))  # GPSInfo, LONG
    ifd0 += struct.pack(">I", 0)
    gps = struct.pack(">H", gps_count)
    gps += _entry(0x0001, 2, 2, b"N\0")
    gps += _entry(0x0002, 5, 3, struct.pack(">I", lat_at))
    gps += _entry(0x0003, 2, 2, b"W\0")
    gps += _entry(0x0004, 5, 3, struct.pack(">I", lon_at))
    gps += struct.pack(">I", 0)
    lat = struct.pack(">IIIIII", 51, 1, 30, 1, 2, 1)
    lon = struct.pack(">IIIIII", 0, 1, 7, 1, 40, 1)
    tiff = b"MM\0*" + struct.pack(">I", ifd0_at) + ifd0 + desc + gps + lat + lon
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif(jpeg: bytes, orientation: int = 6) -> bytes:
    """The JPEG with the EXIF segment put right after its SOI (where cameras put it)."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    return jpeg[:2] + exif_segment(orientation) + jpeg[2:]


def segments(jpeg: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of scan (APP1 = 0xE1)."""
    out = []
    i = 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        out.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", jpeg[i + 2 : i + 4])
        i += 2 + length
    return out


def has_exif(jpeg: bytes) -> bool:
    """Any EXIF or GPS trace: an APP1 segment, the Exif header, or the canary's text."""
    return 0xE1 in segments(jpeg) or b"Exif\0\0" in jpeg or CANARY in jpeg
