#!/usr/bin/env python3
"""Generate dicodec's data dictionary, private dictionary and UID registry modules.

Run by hand from the repository root whenever the source tables change::

    python tools/gen_dictionary.py [SOURCE_DIR] [--out OUT_DIR]

``SOURCE_DIR`` defaults to ``../shared/dictionary`` relative to the repository
root and must hold ``tags.csv``, ``uids.csv`` and ``dcmtk/private.dic`` (see the
``README.md`` there for where those tables come from). ``OUT_DIR`` defaults to
``core/dicodec``. Three modules are written, each with a header saying it is
generated:

``_dictionary.py``
    ``DICOM_DICT`` (tag int -> (VR, VM, name, is_retired, keyword)) for the
    ordinary tags, ``REPEATING_DICT`` (8-character mask such as ``"60xx3000"``
    -> the same tuple) for the repeating-group tags and
    ``REPEATING_KEYWORD_TAGS`` (keyword -> the representative tag that
    ``tag_for_keyword`` answers for a repeating-group keyword).
``_private_dict.py``
    ``PRIVATE_DICT`` (private creator -> {mask such as ``"0009xx01"``:
    (VR, VM, name, is_retired)}).
``_uid_dict.py``
    ``UID_DICT`` (UID -> (name, type, keyword, is_retired)).

Choices made while converting (all deliberate, see the comments at each rule):

* The item and delimitation items (FFFE,E000/E00D/E0DD) have no VR in the
  table; they get the pseudo-VR ``"NONE"``.
* Six retired tags have neither keyword nor name (and three of them no VR or
  VM either). They keep an empty keyword, get the name ``"Retired (unnamed)"``,
  and an empty VR becomes ``"UN"`` with VM ``"1"``.
* Tags with an empty name get their keyword split into words.
* DCMTK cannot write the masks (0028,04x0), (0028,08x0), (1000,xxx0) and
  (1010,xxxx), so it lists one example tag for each, e.g. (0028,0410). Those
  example rows duplicate a mask's keyword; they are not put in ``DICOM_DICT``
  (the mask already covers them) but they are used as the tag answered by
  ``tag_for_keyword`` for that keyword.
* The row ``(1000,xxxx) ShiftTableTriplet`` (DCMTK only, no name) is an
  artefact of DCMTK's commented-out ``(1000,XX00-XXFF)`` lines: it would
  shadow the six real (1000,xxxN) masks, so it is dropped.
* In ``private.dic`` the pseudo-VRs ``ox``/``px`` become ``"OB or OW"``; group
  ranges ``(gggg-o-gggg,...)`` covering a whole odd block (``6001-o-60ff``)
  become a ``"60xx"`` group mask, other ranges are expanded group by group;
  element ranges are expanded. A fixed four-digit element (``eeee >= 1000``) is
  stored block-agnostic (``ggggxxee``) unless another entry of the same
  creator and group, in another block, has the same low byte but describes a
  different element; the entries that clash are then stored with their full
  element number (``ggggeeee``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "dictionary"
DEFAULT_OUT = REPO_ROOT / "core" / "dicodec"

# UIDs missing from the 2024c table, from PS3.6 Table A-1 of later editions.
# (uid, keyword, name, type, is_retired). An entry is only added when the
# table lacks the UID; when the table has it with other values, the table wins
# and a note is printed.
EXTRA_UIDS: list[tuple[str, str, str, str, bool]] = [
    # Sup 232 (JPEG XL)
    ("1.2.840.10008.1.2.4.110", "JPEGXLLossless", "JPEG XL Lossless", "Transfer Syntax", False),
    (
        "1.2.840.10008.1.2.4.111",
        "JPEGXLJPEGRecompression",
        "JPEG XL JPEG Recompression",
        "Transfer Syntax",
        False,
    ),
    ("1.2.840.10008.1.2.4.112", "JPEGXL", "JPEG XL", "Transfer Syntax", False),
    # Deflated Image Frame Compression
    (
        "1.2.840.10008.1.2.8.1",
        "DeflatedImageFrameCompression",
        "Deflated Image Frame Compression",
        "Transfer Syntax",
        False,
    ),
    # Present in 2024c already; listed so that it is guaranteed.
    (
        "1.2.840.10008.1.2.1.98",
        "EncapsulatedUncompressedExplicitVRLittleEndian",
        "Encapsulated Uncompressed Explicit VR Little Endian",
        "Transfer Syntax",
        False,
    ),
]

VALID_VRS = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD",
    "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI",
    "UL", "UN", "UR", "US", "UT", "UV", "NONE", "US or SS", "OB or OW", "US or SS or OW",
}  # fmt: skip

ITEM_TAGS = {0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD}
ITEM_VR = "NONE"
UNNAMED_RETIRED = "Retired (unnamed)"

# Masks known to be bogus in the merged table (see module docstring).
DROPPED_MASKS = {"1000xxxx"}

# Small words written in lower case when a keyword is split into a name; this
# matches the spelling of most PS3.6 names ("Number of Frames").
_LOWER_WORDS = {"Of", "In", "And", "To", "The", "On", "At", "By", "For", "With", "Or"}

_VM_RE = re.compile(r"^(\d+)(-(\d*n|\d+))?( or \d+(-(\d*n|\d+))?)?$")


def split_camel(keyword: str) -> str:
    """Return a human readable name made from a CamelCase keyword.

    Acronyms stay together (``"SOPClassUID"`` -> ``"SOP Class UID"``), a
    lower-case letter followed by a digit is split (``"Echo1"`` -> ``"Echo 1"``)
    and underscores become spaces.
    """
    words: list[str] = []
    for chunk in keyword.replace("_", " ").split():
        s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", chunk)
        s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", s)
        s = re.sub(r"(?<=[a-z])(?=[0-9])", " ", s)
        s = re.sub(r"(?<=[0-9])(?=[A-Z][a-z])", " ", s)
        words.extend(s.split())
    return " ".join(w.lower() if i and w in _LOWER_WORDS else w for i, w in enumerate(words))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _header(module_doc: str, sources: Iterable[Path], source_dir: Path) -> str:
    lines = [
        "# GENERATED FILE - DO NOT EDIT.",
        "# Written by tools/gen_dictionary.py from these tables:",
    ]
    for src in sources:
        lines.append(f"#   {src.relative_to(source_dir).as_posix()} (sha256 {_sha(src)}...)")
    lines.append("# Change the generator or the tables and run it again instead.")
    lines.append(f'"""{module_doc}"""')
    lines.append("")
    lines.append("from __future__ import annotations")
    lines.append("")
    return "\n".join(lines) + "\n"


def _tag_parts(tag: str) -> tuple[str, str]:
    m = re.fullmatch(r"\(([0-9A-Fa-fx]{4}),([0-9A-Fa-fx]{4})\)", tag.strip())
    if not m:
        raise ValueError(f"cannot parse tag {tag!r}")
    return m.group(1), m.group(2)


def _mask_matches(mask: str, tag: int) -> bool:
    text = f"{tag:08X}"
    return all(m == "x" or m == c for m, c in zip(mask, text, strict=True))


# ---------------------------------------------------------------------------
# tags.csv
# ---------------------------------------------------------------------------


def build_tags(
    path: Path, notes: list[str]
) -> tuple[
    dict[int, tuple[str, str, str, bool, str]],
    dict[str, tuple[str, str, str, bool, str]],
    dict[str, int],
]:
    exact: dict[int, tuple[str, str, str, bool, str]] = {}
    repeating: dict[str, tuple[str, str, str, bool, str]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    for row in rows:
        group, elem = _tag_parts(row["tag"])
        keyword = row["keyword"].strip()
        name = row["name"].strip()
        vr = row["vr"].strip()
        vm = row["vm"].strip()
        retired = row["retired"].strip().upper() == "Y"
        is_mask = "x" in group + elem
        mask = (group + elem).upper().replace("X", "x")
        if is_mask and mask in DROPPED_MASKS:
            notes.append(f"dropped bogus repeating row {row['tag']} {keyword}")
            continue
        if not is_mask and int(mask, 16) in ITEM_TAGS:
            vr = ITEM_VR
        if not vr:
            notes.append(f"{row['tag']}: empty VR -> UN")
            vr = "UN"
        if not vm:
            vm = "1"
        if not name:
            name = split_camel(keyword) if keyword else UNNAMED_RETIRED
        if vr not in VALID_VRS:
            raise ValueError(f"{row['tag']}: unexpected VR {vr!r}")
        if not _VM_RE.match(vm):
            raise ValueError(f"{row['tag']}: unexpected VM {vm!r}")
        entry = (vr, vm, name, retired, keyword)
        if is_mask:
            if mask in repeating:
                raise ValueError(f"duplicate mask {mask}")
            repeating[mask] = entry
        else:
            tag = int(mask, 16)
            if tag in exact:
                raise ValueError(f"duplicate tag {row['tag']}")
            exact[tag] = entry

    # DCMTK example rows for masks it cannot express: same keyword as a mask
    # that covers the tag. Move them out of the exact dictionary and remember
    # them as the representative tag for that keyword.
    by_keyword = {entry[4]: m for m, entry in repeating.items()}
    representative: dict[str, int] = {}
    for tag in sorted(exact):
        entry = exact[tag]
        m = by_keyword.get(entry[4])
        if m is None or not _mask_matches(m, tag):
            continue
        rep = repeating[m]
        if (entry[0], entry[1], entry[3]) != (rep[0], rep[1], rep[3]):
            raise ValueError(f"example row ({tag:08X}) disagrees with mask {m}")
        del exact[tag]
        representative[entry[4]] = tag
        notes.append(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {entry[4]}: DCMTK example of {m}")

    for m, entry in repeating.items():
        keyword = entry[4]
        if keyword in representative:
            continue
        tag = int(m.replace("x", "0"), 16)
        if tag in exact or tag & 0xFFFF == 0:
            raise ValueError(f"no representative tag for mask {m}")
        representative[keyword] = tag

    # Keywords must be unique across both dictionaries.
    seen: dict[str, str] = {}
    for tag, entry in exact.items():
        if entry[4]:
            if entry[4] in seen:
                raise ValueError(f"duplicate keyword {entry[4]}")
            seen[entry[4]] = f"{tag:08X}"
    for m, entry in repeating.items():
        if entry[4] in seen:
            raise ValueError(f"repeating keyword {entry[4]} also used by {seen[entry[4]]}")
        seen[entry[4]] = m
    return exact, repeating, representative


# ---------------------------------------------------------------------------
# dcmtk/private.dic
# ---------------------------------------------------------------------------

_PRIV_TAG_RE = re.compile(
    r"^\((?P<g1>[0-9A-Fa-f]{4})(?:-(?P<odd>o-)?(?P<g2>[0-9A-Fa-f]{4}))?"
    r',"(?P<creator>[^"]*)",'
    r"(?P<e1>[0-9A-Fa-f]{2,4})(?:-(?P<e2>[0-9A-Fa-f]{2,4}))?\)$"
)
_PRIV_VR_MAP = {"ox": "OB or OW", "px": "OB or OW", "xs": "US or SS", "lt": "US or SS or OW"}


def build_private(path: Path, notes: list[str]) -> dict[str, dict[str, tuple[str, str, str, bool]]]:
    # First pass: (creator, group-key, element text) -> entry, keeping order
    # (later lines override earlier ones, as DCMTK documents).
    raw: list[tuple[str, str, int, bool, tuple[str, str, str, bool], int]] = []
    text = path.read_text(encoding="latin-1")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 4:
            raise ValueError(f"private.dic line {lineno}: too few fields: {line!r}")
        if len(fields) == 4:
            notes.append(f"private.dic line {lineno}: no 5th (version) field: {line!r}")
        m = _PRIV_TAG_RE.match(fields[0].strip())
        if not m:
            raise ValueError(f"private.dic line {lineno}: cannot parse tag {fields[0]!r}")
        vr = fields[1].strip()
        vr = _PRIV_VR_MAP.get(vr, vr)
        if vr not in VALID_VRS:
            raise ValueError(f"private.dic line {lineno}: unexpected VR {vr!r}")
        vm = fields[3].strip() or "1"
        if not _VM_RE.match(vm):
            raise ValueError(f"private.dic line {lineno}: unexpected VM {vm!r}")
        name = split_camel(fields[2].strip()) or "Unknown"
        entry = (vr, vm, name, False)
        creator = m.group("creator")

        g1 = int(m.group("g1"), 16)
        g2 = int(m.group("g2"), 16) if m.group("g2") else g1
        step = 2 if m.group("odd") else 1
        if g1 % 2 == 0 or (m.group("g2") and not m.group("odd")):
            raise ValueError(f"private.dic line {lineno}: not an odd group: {fields[0]!r}")
        if m.group("g2") and g1 & 0xFF == 0x01 and g2 & 0xFF == 0xFF and g1 >> 8 == g2 >> 8:
            groups = [f"{g1 >> 8:02X}xx"]
        else:
            groups = [f"{g:04X}" for g in range(g1, g2 + 1, step)]

        e1_text = m.group("e1")
        fixed = len(e1_text) == 4
        e1 = int(e1_text, 16)
        e2 = int(m.group("e2"), 16) if m.group("e2") else e1
        if fixed and e1 < 0x1000:
            raise ValueError(f"private.dic line {lineno}: fixed element below 1000")
        for gkey in groups:
            for elem in range(e1, e2 + 1):
                raw.append((creator, gkey, elem, fixed, entry, lineno))

    # Second pass: choose keys. A low byte clashes when entries of the same
    # creator and group in different blocks describe different elements.
    low_use: dict[tuple[str, str, int], dict[int, set[tuple[str, str, str, bool]]]] = {}
    for creator, gkey, elem, fixed, entry, _ln in raw:
        block = elem >> 8 if fixed else -1
        per_block = low_use.setdefault((creator, gkey, elem & 0xFF), {})
        per_block.setdefault(block, set()).add(entry)

    def clashes(per_block: dict[int, set[tuple[str, str, str, bool]]]) -> bool:
        if len(per_block) < 2:
            return False
        distinct = {e for entries in per_block.values() for e in entries}
        return len(distinct) > 1

    result: dict[str, dict[str, tuple[str, str, str, bool]]] = {}
    for creator, gkey, elem, fixed, entry, lineno in raw:
        if fixed and clashes(low_use[(creator, gkey, elem & 0xFF)]):
            key = f"{gkey}{elem:04X}"
        else:
            key = f"{gkey}xx{elem & 0xFF:02X}"
        creator_dict = result.setdefault(creator, {})
        if key in creator_dict and creator_dict[key] != entry:
            notes.append(
                f"private.dic line {lineno}: {creator!r} {key} overrides "
                f"{creator_dict[key]} with {entry}"
            )
        creator_dict[key] = entry
    return result


# ---------------------------------------------------------------------------
# uids.csv
# ---------------------------------------------------------------------------

_UID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


def build_uids(path: Path, notes: list[str]) -> dict[str, tuple[str, str, str, bool]]:
    result: dict[str, tuple[str, str, str, bool]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            uid = row["uid"].strip()
            if not _UID_RE.match(uid) or len(uid) > 64:
                raise ValueError(f"invalid UID {uid!r} in uids.csv")
            if uid in result:
                raise ValueError(f"duplicate UID {uid}")
            result[uid] = (
                row["name"].strip(),
                row["type"].strip(),
                row["keyword"].strip(),
                row["retired"].strip().upper() == "Y",
            )
    for uid, keyword, name, uid_type, retired in EXTRA_UIDS:
        new = (name, uid_type, keyword, retired)
        if uid in result:
            if result[uid] != new:
                notes.append(f"UID {uid}: table has {result[uid]}, hand list has {new}")
            continue
        notes.append(f"UID {uid} ({keyword}) added by hand")
        result[uid] = new
    return result


def _uid_sort_key(uid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in uid.split("."))


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write_dictionary(
    out: Path,
    header: str,
    exact: dict[int, tuple[str, str, str, bool, str]],
    repeating: dict[str, tuple[str, str, str, bool, str]],
    representative: dict[str, int],
) -> None:
    lines = [header]
    lines.append("DICOM_DICT: dict[int, tuple[str, str, str, bool, str]] = {")
    for tag in sorted(exact):
        lines.append(f"    0x{tag:08X}: {exact[tag]!r},")
    lines.append("}")
    lines.append("")
    lines.append("REPEATING_DICT: dict[str, tuple[str, str, str, bool, str]] = {")
    for mask in sorted(repeating):
        lines.append(f"    {mask!r}: {repeating[mask]!r},")
    lines.append("}")
    lines.append("")
    lines.append("REPEATING_KEYWORD_TAGS: dict[str, int] = {")
    for keyword in sorted(representative):
        lines.append(f"    {keyword!r}: 0x{representative[keyword]:08X},")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_private(
    out: Path, header: str, private: dict[str, dict[str, tuple[str, str, str, bool]]]
) -> None:
    lines = [header]
    lines.append("PRIVATE_DICT: dict[str, dict[str, tuple[str, str, str, bool]]] = {")
    for creator in sorted(private):
        lines.append(f"    {creator!r}: {{")
        entries = private[creator]
        for key in sorted(entries):
            lines.append(f"        {key!r}: {entries[key]!r},")
        lines.append("    },")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_uids(out: Path, header: str, uids: dict[str, tuple[str, str, str, bool]]) -> None:
    lines = [header]
    lines.append("UID_DICT: dict[str, tuple[str, str, str, bool]] = {")
    for uid in sorted(uids, key=_uid_sort_key):
        lines.append(f"    {uid!r}: {uids[uid]!r},")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="dictionary table folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output package folder")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print notes")
    args = parser.parse_args(argv)
    src: Path = args.source.resolve()
    out: Path = args.out.resolve()
    tags_csv, uids_csv, private_dic = (
        src / "tags.csv",
        src / "uids.csv",
        src / "dcmtk" / "private.dic",
    )
    for p in (tags_csv, uids_csv, private_dic):
        if not p.is_file():
            parser.error(f"missing source table {p}")

    notes: list[str] = []
    exact, repeating, representative = build_tags(tags_csv, notes)
    private = build_private(private_dic, notes)
    uids = build_uids(uids_csv, notes)

    write_dictionary(
        out / "_dictionary.py",
        _header("The DICOM data dictionary (PS3.6 Table 6-1 and friends).", [tags_csv], src),
        exact,
        repeating,
        representative,
    )
    write_private(
        out / "_private_dict.py",
        _header(
            "Known private data elements, by private creator (from DCMTK).", [private_dic], src
        ),
        private,
    )
    write_uids(
        out / "_uid_dict.py",
        _header("The UID registry (PS3.6 Table A-1).", [uids_csv], src),
        uids,
    )
    if not args.quiet:
        for note in notes:
            print("note:", note)
        n_private = sum(len(v) for v in private.values())
        print(
            f"wrote {len(exact)} tags, {len(repeating)} repeating masks, "
            f"{len(private)} private creators ({n_private} elements), {len(uids)} UIDs to {out}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
