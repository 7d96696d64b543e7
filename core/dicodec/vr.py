"""Value Representations (PS3.5 6.2) and the facts the reader and writer need.

Examples
--------
>>> from dicodec.vr import VR, LONG_LENGTH_VRS
>>> VR.OB in LONG_LENGTH_VRS
True
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ALL_VRS",
    "BYTES_VRS",
    "CHARSET_VRS",
    "LONG_LENGTH_VRS",
    "NUMERIC_VRS",
    "STRING_VRS",
    "TEXT_VRS",
    "VR",
]


class VR(str, Enum):
    """The two-letter Value Representations of PS3.5 Table 6.2-1.

    Members compare equal to their plain strings (``VR.US == "US"``).
    """

    AE = "AE"
    AS = "AS"
    AT = "AT"
    CS = "CS"
    DA = "DA"
    DS = "DS"
    DT = "DT"
    FD = "FD"
    FL = "FL"
    IS = "IS"
    LO = "LO"
    LT = "LT"
    OB = "OB"
    OD = "OD"
    OF = "OF"
    OL = "OL"
    OV = "OV"
    OW = "OW"
    PN = "PN"
    SH = "SH"
    SL = "SL"
    SQ = "SQ"
    SS = "SS"
    ST = "ST"
    SV = "SV"
    TM = "TM"
    UC = "UC"
    UI = "UI"
    UL = "UL"
    UN = "UN"
    UR = "UR"
    US = "US"
    UT = "UT"
    UV = "UV"

    def __str__(self) -> str:
        return self.value


ALL_VRS: frozenset[str] = frozenset(v.value for v in VR)
"""Every valid two-letter VR."""

LONG_LENGTH_VRS: frozenset[str] = frozenset(
    ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
)
"""VRs whose explicit-VR header has two reserved bytes and a 32-bit length."""

STRING_VRS: frozenset[str] = frozenset(
    ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"]
)
"""VRs whose value is character data."""

TEXT_VRS: frozenset[str] = frozenset(["LT", "ST", "UT", "UR"])
"""Character VRs that hold one value: a backslash is data, not a separator."""

CHARSET_VRS: frozenset[str] = frozenset(["LO", "LT", "PN", "SH", "ST", "UC", "UT"])
"""Character VRs affected by Specific Character Set (0008,0005)."""

BYTES_VRS: frozenset[str] = frozenset(["OB", "OD", "OF", "OL", "OV", "OW", "UN"])
"""VRs whose value is kept as bytes."""

NUMERIC_VRS: dict[str, tuple[str, int]] = {
    "US": ("H", 2),
    "SS": ("h", 2),
    "UL": ("L", 4),
    "SL": ("l", 4),
    "FL": ("f", 4),
    "FD": ("d", 8),
    "SV": ("q", 8),
    "UV": ("Q", 8),
}
"""Binary numeric VRs: struct format character and size of one value."""

SWAP_SIZE: dict[str, int] = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}
"""Word size of the 'other' VRs, for byte-order changes."""
