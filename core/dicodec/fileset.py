"""File-sets: a DICOMDIR and the files it references, read, searched, changed and written.

A DICOM File-set (PS3.10 section 8) is a folder tree of Part 10 files with one
``DICOMDIR`` at its root. The DICOMDIR holds a *Directory Record Sequence*
(0004,1220) whose items - the directory records - form a tree (PATIENT, STUDY,
SERIES, then one record per instance: IMAGE, SR DOCUMENT, ...). The tree is not
given by nesting but by byte offsets: (0004,1200) names the first record of the
root level, each record's (0004,1400) the next record on its level and (0004,1420)
its first child.

:class:`FileSet` reads that tree (checking every offset: a loop or an offset that
points nowhere raises :class:`DICOMDIRError`, never a hang), searches it
(:meth:`FileSet.find`, :meth:`FileSet.find_values`), stages changes
(:meth:`FileSet.add`, :meth:`FileSet.remove`) and writes them
(:meth:`FileSet.write`, :meth:`FileSet.copy`): the DICOMDIR in Explicit VR Little
Endian with every offset computed from the final layout, the instance files under
conformant File IDs (at most 8 components of at most 8 characters from ``A-Z``,
``0-9`` and ``_``), through temporary files renamed into place, so that a failure
leaves the previous File-set as it was.

Examples
--------
Build a File-set from dicodec's example data sets, write it and read it back:

>>> import os, tempfile
>>> from dicodec import examples
>>> from dicodec.fileset import FileSet
>>> fs = FileSet()
>>> fs.ID = "EXAMPLES"
>>> for name in ("ct", "mr", "rgb_color", "palette"):
...     _ = fs.add(examples.get(name))
>>> root = tempfile.mkdtemp()
>>> fs.write(root)
>>> fs = FileSet(os.path.join(root, "DICOMDIR"))
>>> len(fs), fs.ID
(4, 'EXAMPLES')
>>> fs.find_values("Modality")
['CT', 'MR', 'OT']
>>> [int(inst.SeriesNumber) for inst in fs.find(PatientID="DICODEC-SC-0001")]
[1, 3]
>>> ct = fs.find(Modality="CT")[0]
>>> ct.FileID
'PT000000/ST000000/SE000000/IM000000'
>>> ct.load().Rows
512
"""

from __future__ import annotations

import copy as _copy
import io
import os
import re
import shutil
import stat
import struct
import sys
import tempfile
import warnings
import weakref
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from .dataelem import DataElement
from .dataset import Dataset, FileDataset, FileMetaDataset
from .errors import DicodecError, DicodecWarning, InvalidDicomError, InvalidValueError, WriteError

__all__ = [
    "MEDIA_STORAGE_DIRECTORY_STORAGE",
    "DICOMDIRError",
    "FileInstance",
    "FileSet",
    "FileSetError",
    "MissingFileError",
    "RecordNode",
    "is_conformant_file_id",
    "record_type_for",
]

MEDIA_STORAGE_DIRECTORY_STORAGE = "1.2.840.10008.1.3.10"
"""The SOP Class UID of a DICOMDIR (Media Storage Directory Storage)."""

_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"

# (0004,xxxx) tags of the Basic Directory IOD
_FILE_SET_ID = 0x00041130
_DESCRIPTOR_ID = 0x00041141
_DESCRIPTOR_CHARSET = 0x00041142
_FIRST = 0x00041200
_LAST = 0x00041202
_CONSISTENCY = 0x00041212
_RECORDS = 0x00041220
_NEXT = 0x00041400
_IN_USE = 0x00041410
_LOWER = 0x00041420
_TYPE = 0x00041430
_PRIVATE_RECORD_UID = 0x00041432
_FILE_ID = 0x00041500
_REF_SOP_CLASS = 0x00041510
_REF_SOP_INSTANCE = 0x00041511
_REF_TRANSFER_SYNTAX = 0x00041512

_TAG_NAMES = {
    _FIRST: "(0004,1200) Offset of the First Directory Record of the Root Directory Entity",
    _NEXT: "(0004,1400) Offset of the Next Directory Record",
    _LOWER: "(0004,1420) Offset of Referenced Lower-Level Directory Entity",
}

# Keywords that a FileInstance answers from the record elements referencing the file.
_ALIASES = {
    0x00080018: _REF_SOP_INSTANCE,
    0x00080016: _REF_SOP_CLASS,
    0x00020010: _REF_TRANSFER_SYNTAX,
}

# Item and delimiter tags, and the explicit VRs with a 4-byte length
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
_LONG_VRS = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
)

# Explicit VR LE headers of the offset elements a written record starts with:
# (0004,1400) UL at byte 0, (0004,1410) US at byte 12, (0004,1420) UL at byte 22.
_NEXT_HEADER = struct.pack("<HH2sH", 0x0004, 0x1400, b"UL", 4)
_LOWER_HEADER = struct.pack("<HH2sH", 0x0004, 0x1420, b"UL", 4)

_COMPONENT = re.compile(r"[A-Z0-9_]{1,8}\Z")
_FILE_SET_ID_RE = re.compile(r"[A-Z0-9 _]{0,16}\Z")

MissingPolicy = Literal["warn", "raise", "ignore"]


# ------------------------------------------------------------------- errors
class FileSetError(DicodecError):
    """A File-set operation cannot be done as asked.

    For example adding an instance that lacks the attributes its directory records
    need, adding an instance twice, or writing a new File-set without a path.
    """


class DICOMDIRError(InvalidDicomError):
    """The DICOMDIR is damaged: an offset points nowhere, records form a loop, a
    File ID leaves the File-set's folder, or the records cannot be located.

    The message names the record (its type and byte offset in the DICOMDIR) and the
    offending element; ``offset`` and ``tag`` hold the same facts.
    """


class MissingFileError(DICOMDIRError, FileNotFoundError):
    """A directory record references a file that does not exist.

    Also a :class:`FileNotFoundError`, so ``except OSError`` catches it too.
    """


def _warn(message: str) -> None:
    """Warn, attributing the warning to the first caller outside this module."""
    level = 2
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, DicodecWarning, stacklevel=level)


# ------------------------------------------------------ record types by SOP class
_ROOT_LEVEL_TYPES = frozenset(
    {"PATIENT", "HANGING PROTOCOL", "PALETTE", "IMPLANT", "IMPLANT ASSY", "IMPLANT GROUP"}
)

_STORAGE = "1.2.840.10008.5.1.4.1.1."
_LEAF_TYPE_BY_SOP: dict[str, str] = {
    # radiotherapy, first generation
    _STORAGE + "481.2": "RT DOSE",
    _STORAGE + "481.3": "RT STRUCTURE SET",
    _STORAGE + "481.5": "RT PLAN",
    _STORAGE + "481.8": "RT PLAN",
    _STORAGE + "481.4": "RT TREAT RECORD",
    _STORAGE + "481.6": "RT TREAT RECORD",
    _STORAGE + "481.7": "RT TREAT RECORD",
    _STORAGE + "481.9": "RT TREAT RECORD",
    # documents and reports that are not SR Storage by name
    _STORAGE + "88.59": "KEY OBJECT DOC",
    _STORAGE + "78.6": "SR DOCUMENT",
    _STORAGE + "79.1": "SR DOCUMENT",
    _STORAGE + "131": "PRESENTATION",
    _STORAGE + "4.2": "SPECTROSCOPY",
    _STORAGE + "66": "RAW DATA",
    _STORAGE + "66.1": "REGISTRATION",
    _STORAGE + "66.3": "REGISTRATION",
    _STORAGE + "66.2": "FIDUCIAL",
    _STORAGE + "66.5": "SURFACE",
    _STORAGE + "66.6": "TRACT",
    _STORAGE + "67": "VALUE MAP",
    _STORAGE + "68.1": "SURFACE SCAN",
    _STORAGE + "68.2": "SURFACE SCAN",
    _STORAGE + "77.1.5.3": "STEREOMETRIC",
    _STORAGE + "78.1": "MEASUREMENT",
    _STORAGE + "78.2": "MEASUREMENT",
    _STORAGE + "78.3": "MEASUREMENT",
    _STORAGE + "78.4": "MEASUREMENT",
    _STORAGE + "78.5": "MEASUREMENT",
    _STORAGE + "78.7": "MEASUREMENT",
    _STORAGE + "80.1": "MEASUREMENT",
    _STORAGE + "90.1": "ASSESSMENT",
    _STORAGE + "91.1": "ANNOTATION",
    _STORAGE + "200.1": "PLAN",
    _STORAGE + "200.2": "PLAN",
    _STORAGE + "200.7": "PLAN",
    _STORAGE + "200.8": "PLAN",
    # root-level instances (no patient / study / series above them)
    "1.2.840.10008.5.1.4.38.1": "HANGING PROTOCOL",
    "1.2.840.10008.5.1.4.39.1": "PALETTE",
    "1.2.840.10008.5.1.4.43.1": "IMPLANT",
    "1.2.840.10008.5.1.4.44.1": "IMPLANT ASSY",
    "1.2.840.10008.5.1.4.45.1": "IMPLANT GROUP",
}
# Families recognised by UID prefix: waveforms, presentation states, SR, encapsulated documents.
_LEAF_TYPE_BY_PREFIX = (
    (_STORAGE + "9.", "WAVEFORM"),
    (_STORAGE + "11.", "PRESENTATION"),
    (_STORAGE + "88.", "SR DOCUMENT"),
    (_STORAGE + "104.", "ENCAP DOC"),
)
# Second-generation radiotherapy objects (RT Physician Intent ... RT Patient Position
# Acquisition Instruction) share the RADIOTHERAPY record; .23 and .24 are images.
_RADIOTHERAPY = frozenset(_STORAGE + f"481.{n}" for n in range(10, 26) if n not in (23, 24))


def record_type_for(ds: Dataset) -> str:
    """The Directory Record Type (0004,1430) of the record that references ``ds``.

    Decided by the SOP Class UID (PS3.3 Annex F): ``"IMAGE"`` for image storage and
    anything not otherwise known, ``"SR DOCUMENT"``, ``"PRESENTATION"``,
    ``"WAVEFORM"``, ``"RT DOSE"``, ... and the root-level types ``"PALETTE"``,
    ``"HANGING PROTOCOL"`` and ``"IMPLANT"``, ``"IMPLANT ASSY"``, ``"IMPLANT GROUP"``.

    Parameters
    ----------
    ds : Dataset
        The instance (its SOP Class UID, or the file meta's Media Storage SOP Class UID).

    Returns
    -------
    str

    Examples
    --------
    >>> from dicodec import examples
    >>> from dicodec.fileset import record_type_for
    >>> record_type_for(examples.ct), record_type_for(examples.waveform)
    ('IMAGE', 'WAVEFORM')
    """
    sop = _sop_class_of(ds)
    if sop in _LEAF_TYPE_BY_SOP:
        return _LEAF_TYPE_BY_SOP[sop]
    if sop in _RADIOTHERAPY:
        return "RADIOTHERAPY"
    for prefix, record_type in _LEAF_TYPE_BY_PREFIX:
        if sop.startswith(prefix):
            return record_type
    modality = ds.get("Modality")
    if modality in ("RTINTENT", "RTSEGANN", "RTRAD", "RTRECORD"):
        return "RADIOTHERAPY"
    if modality == "PLAN":
        return "PLAN"
    if "EncapsulatedDocument" in ds:
        return "ENCAP DOC"
    return "IMAGE"


def _sop_class_of(ds: Dataset) -> str:
    value = ds.get("SOPClassUID")
    if not value:
        meta = ds.__dict__.get("file_meta")
        value = meta.get("MediaStorageSOPClassUID") if meta is not None else None
    return str(value or "").strip()


def _sop_instance_of(ds: Dataset) -> str:
    value = ds.get("SOPInstanceUID")
    if not value:
        meta = ds.__dict__.get("file_meta")
        value = meta.get("MediaStorageSOPInstanceUID") if meta is not None else None
    return str(value or "").strip()


# What each record type copies from the instance (PS3.3 F.5): (keyword, type).
# "1": required with a value; "2": required, may be empty; "3": copied when present.
# The identifying keys (Patient ID, Study / Series Instance UID) are checked apart.
_CONTENT_ID = (
    ("ContentDate", "1"),
    ("ContentTime", "1"),
    ("InstanceNumber", "1"),
    ("ContentLabel", "1"),
    ("ContentDescription", "2"),
    ("ContentCreatorName", "2"),
)
_RECORD_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "PATIENT": (
        ("PatientName", "2"),
        ("PatientID", "1"),
        ("PatientBirthDate", "3"),
        ("PatientSex", "3"),
    ),
    "STUDY": (
        ("StudyDate", "1"),
        ("StudyTime", "1"),
        ("StudyDescription", "2"),
        ("StudyInstanceUID", "1"),
        ("StudyID", "1"),
        ("AccessionNumber", "2"),
    ),
    "SERIES": (
        ("Modality", "1"),
        ("SeriesInstanceUID", "1"),
        ("SeriesNumber", "1"),
        ("SeriesDescription", "3"),
    ),
    "IMAGE": (
        ("InstanceNumber", "1"),
        ("ImageType", "3"),
        ("NumberOfFrames", "3"),
        ("Rows", "3"),
        ("Columns", "3"),
    ),
    "RT DOSE": (("InstanceNumber", "1"), ("DoseSummationType", "1"), ("DoseComment", "3")),
    "RT STRUCTURE SET": (
        ("InstanceNumber", "1"),
        ("StructureSetLabel", "1"),
        ("StructureSetDate", "2"),
        ("StructureSetTime", "2"),
    ),
    "RT PLAN": (
        ("InstanceNumber", "1"),
        ("RTPlanLabel", "1"),
        ("RTPlanDate", "2"),
        ("RTPlanTime", "2"),
    ),
    "RT TREAT RECORD": (("InstanceNumber", "1"), ("TreatmentDate", "2"), ("TreatmentTime", "2")),
    "PRESENTATION": (
        ("PresentationCreationDate", "1"),
        ("PresentationCreationTime", "1"),
        ("InstanceNumber", "1"),
        ("ContentLabel", "1"),
        ("ContentDescription", "2"),
        ("ContentCreatorName", "2"),
        ("ReferencedSeriesSequence", "3"),
        ("BlendingSequence", "3"),
    ),
    "WAVEFORM": (("InstanceNumber", "1"), ("ContentDate", "1"), ("ContentTime", "1")),
    "SR DOCUMENT": (
        ("InstanceNumber", "1"),
        ("CompletionFlag", "1"),
        ("VerificationFlag", "1"),
        ("ContentDate", "1"),
        ("ContentTime", "1"),
        ("VerificationDateTime", "3"),
        ("ConceptNameCodeSequence", "1"),
    ),
    "KEY OBJECT DOC": (
        ("InstanceNumber", "1"),
        ("ContentDate", "1"),
        ("ContentTime", "1"),
        ("ConceptNameCodeSequence", "1"),
    ),
    "SPECTROSCOPY": (
        ("ImageType", "1"),
        ("ContentDate", "1"),
        ("ContentTime", "1"),
        ("InstanceNumber", "1"),
        ("NumberOfFrames", "1"),
        ("Rows", "1"),
        ("Columns", "1"),
        ("DataPointRows", "1"),
        ("DataPointColumns", "1"),
    ),
    "RAW DATA": (("ContentDate", "1"), ("ContentTime", "1"), ("InstanceNumber", "2")),
    "REGISTRATION": _CONTENT_ID,
    "FIDUCIAL": _CONTENT_ID,
    "VALUE MAP": _CONTENT_ID,
    "SURFACE": _CONTENT_ID,
    "TRACT": _CONTENT_ID,
    "MEASUREMENT": _CONTENT_ID,
    "SURFACE SCAN": _CONTENT_ID,
    "ANNOTATION": _CONTENT_ID,
    "ENCAP DOC": (
        ("ContentDate", "2"),
        ("ContentTime", "2"),
        ("InstanceNumber", "1"),
        ("DocumentTitle", "2"),
        ("HL7InstanceIdentifier", "3"),
        ("ConceptNameCodeSequence", "2"),
        ("MIMETypeOfEncapsulatedDocument", "1"),
    ),
    "ASSESSMENT": (
        ("InstanceNumber", "1"),
        ("InstanceCreationDate", "3"),
        ("InstanceCreationTime", "3"),
    ),
    "RADIOTHERAPY": (
        ("InstanceNumber", "1"),
        ("ContentLabel", "3"),
        ("ContentDescription", "3"),
        ("ContentCreatorName", "3"),
    ),
    "HANGING PROTOCOL": (
        ("HangingProtocolName", "1"),
        ("HangingProtocolDescription", "1"),
        ("HangingProtocolLevel", "1"),
        ("HangingProtocolCreator", "1"),
        ("HangingProtocolCreationDateTime", "1"),
        ("HangingProtocolDefinitionSequence", "3"),
        ("NumberOfPriorsReferenced", "1"),
    ),
    "PALETTE": (("ContentLabel", "1"),),
    "IMPLANT": (
        ("Manufacturer", "1"),
        ("ImplantName", "1"),
        ("ImplantSize", "3"),
        ("ImplantPartNumber", "1"),
    ),
    "IMPLANT ASSY": (
        ("ImplantAssemblyTemplateName", "1"),
        ("Manufacturer", "1"),
        ("ProcedureTypeCodeSequence", "3"),
    ),
    "IMPLANT GROUP": (("ImplantTemplateGroupName", "1"), ("ImplantTemplateGroupIssuer", "3")),
}
_DEFAULT_ATTRIBUTES = (("InstanceNumber", "3"), ("ContentDate", "3"), ("ContentTime", "3"))
_KEY_KEYWORD = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID"}

# Two-letter prefixes of generated File ID components.
_PREFIX = {
    "PATIENT": "PT",
    "STUDY": "ST",
    "SERIES": "SE",
    "IMAGE": "IM",
    "RT DOSE": "RD",
    "RT STRUCTURE SET": "RS",
    "RT PLAN": "RP",
    "RT TREAT RECORD": "RT",
    "PRESENTATION": "PS",
    "WAVEFORM": "WV",
    "SR DOCUMENT": "SR",
    "KEY OBJECT DOC": "KO",
    "SPECTROSCOPY": "SP",
    "RAW DATA": "RW",
    "REGISTRATION": "RG",
    "FIDUCIAL": "FD",
    "HANGING PROTOCOL": "HP",
    "ENCAP DOC": "ED",
    "VALUE MAP": "VM",
    "STEREOMETRIC": "SX",
    "PALETTE": "PA",
    "IMPLANT": "IP",
    "IMPLANT ASSY": "IA",
    "IMPLANT GROUP": "IG",
    "PLAN": "PL",
    "MEASUREMENT": "MS",
    "SURFACE": "SF",
    "SURFACE SCAN": "SS",
    "TRACT": "TR",
    "ASSESSMENT": "AS",
    "RADIOTHERAPY": "RX",
    "ANNOTATION": "AN",
    "PRIVATE": "PR",
}


def is_conformant_file_id(components: str | Iterable[str]) -> bool:
    """Whether a File ID follows PS3.10 8.2 / PS3.11: 1-8 components, each 1-8 of ``A-Z 0-9 _``.

    Parameters
    ----------
    components : str or iterable of str
        The components, or one string with ``/`` or ``\\`` separators.

    Examples
    --------
    >>> from dicodec.fileset import is_conformant_file_id
    >>> is_conformant_file_id(["PT000000", "IM000001"]), is_conformant_file_id("images/im-1.dcm")
    (True, False)
    """
    if isinstance(components, str):
        components = re.split(r"[/\\]", components)
    parts = list(components)
    return 1 <= len(parts) <= 8 and all(_COMPONENT.match(p) for p in parts)


# ------------------------------------------------------------- locating records
def _record_offsets(buf: bytes, seq_tell: int, implicit: bool, little: bool) -> list[int]:
    """Byte offsets of the items of the Directory Record Sequence whose header is at ``seq_tell``.

    The reader keeps the sequence element's position but not its items', so the item
    headers are walked here; items of undefined length are skipped element by element.
    """
    bo = "<" if little else ">"
    n = len(buf)
    if seq_tell is None or seq_tell + 8 > n:
        raise DICOMDIRError(
            "the Directory Record Sequence cannot be located in the file", tag=_RECORDS
        )
    group, element = struct.unpack_from(bo + "HH", buf, seq_tell)
    if (group << 16) | element != _RECORDS:
        raise DICOMDIRError(
            "the Directory Record Sequence is not where the reader found it",
            tag=_RECORDS,
            offset=seq_tell,
        )
    if implicit:
        length = struct.unpack_from(bo + "L", buf, seq_tell + 4)[0]
        pos = seq_tell + 8
    elif bytes(buf[seq_tell + 4 : seq_tell + 6]) in _LONG_VRS:
        length = struct.unpack_from(bo + "L", buf, seq_tell + 8)[0]
        pos = seq_tell + 12
    else:
        length = struct.unpack_from(bo + "H", buf, seq_tell + 6)[0]
        pos = seq_tell + 8
    end = n if length == _UNDEFINED else min(n, pos + length)
    head = struct.Struct(bo + "HHL").unpack_from
    offsets: list[int] = []
    while pos + 8 <= end:
        group, element, item_length = head(buf, pos)
        tag = (group << 16) | element
        if tag == _SEQ_END:
            break
        if tag != _ITEM:
            raise DICOMDIRError(
                f"expected an Item tag in the Directory Record Sequence, found ({group:04X},{element:04X})",
                tag=_RECORDS,
                offset=pos,
            )
        offsets.append(pos)
        if item_length == _UNDEFINED:
            pos = _skip_item(buf, pos + 8, implicit, little)
        else:
            pos += 8 + item_length
    return offsets


def _skip_item(buf: bytes, pos: int, implicit: bool, little: bool) -> int:
    """The position just after the Item Delimitation Item closing the item whose body starts at ``pos``."""
    bo = "<" if little else ">"
    head = struct.Struct(bo + "HHL").unpack_from
    short = struct.Struct(bo + "H").unpack_from
    long_ = struct.Struct(bo + "L").unpack_from
    n = len(buf)
    start = pos - 8
    in_item = [True]  # True: reading an item's elements; False: reading a sequence's items
    while in_item:
        if pos + 8 > n:
            raise DICOMDIRError(
                f"the directory record at offset {start} runs past the end of the file",
                tag=_RECORDS,
                offset=pos,
            )
        group, element, length = head(buf, pos)
        tag = (group << 16) | element
        if not in_item[-1]:
            if tag == _SEQ_END:
                pos += 8
                in_item.pop()
            elif tag == _ITEM:
                if length == _UNDEFINED:
                    pos += 8
                    in_item.append(True)
                else:
                    pos += 8 + length
            else:
                raise DICOMDIRError(
                    f"in the directory record at offset {start}: expected an Item tag, "
                    f"found ({group:04X},{element:04X})",
                    tag=_RECORDS,
                    offset=pos,
                )
            continue
        if group == 0xFFFE:
            if tag != _ITEM_END:
                raise DICOMDIRError(
                    f"in the directory record at offset {start}: unexpected ({group:04X},{element:04X})",
                    tag=_RECORDS,
                    offset=pos,
                )
            pos += 8
            in_item.pop()
            continue
        if implicit:
            pos += 8
        else:
            vr = bytes(buf[pos + 4 : pos + 6])
            if vr in _LONG_VRS:
                length = long_(buf, pos + 8)[0]
                pos += 12
            elif vr.isalpha() and vr.isupper():
                length = short(buf, pos + 6)[0]
                pos += 8
            else:
                raise DICOMDIRError(
                    f"in the directory record at offset {start}: ({group:04X},{element:04X}) has no valid VR",
                    tag=tag,
                    offset=pos,
                )
        if length == _UNDEFINED:
            in_item.append(False)  # a sequence (or encapsulated data): items up to the delimiter
        else:
            pos += length
            if pos > n:
                raise DICOMDIRError(
                    f"in the directory record at offset {start}: ({group:04X},{element:04X}) "
                    "runs past the end of the file",
                    tag=tag,
                    offset=pos - length,
                )
    return pos


def _int_value(record: Dataset, tag: int, where: str) -> int:
    """An offset element's value as an int (0 when absent or empty)."""
    if tag not in record:
        return 0
    value = record[tag].value
    if isinstance(value, list):
        value = value[0] if value else 0
    if value is None or value == b"" or value == "":
        return 0
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise DICOMDIRError(
            f"{where}: {_TAG_NAMES.get(tag, hex(tag))} has the value {value!r}", tag=tag
        ) from exc


def _record_type_of(record: Dataset, offset: int | None) -> str:
    if _TYPE not in record:
        where = (
            f"the directory record at offset {offset}"
            if offset is not None
            else "a directory record"
        )
        raise DICOMDIRError(
            f"{where} has no (0004,1430) Directory Record Type", tag=_TYPE, offset=offset
        )
    value = record[_TYPE].value
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value or "").strip().upper()


def _describe(record_type: str | None, offset: int | None) -> str:
    kind = f"the {record_type} record" if record_type else "a directory record"
    return f"{kind} at offset {offset}" if offset is not None else f"{kind} (not written yet)"


# ------------------------------------------------------------------- the tree
class RecordNode:
    """One directory record in the File-set's tree.

    Keyword attributes are read from the record (``node.PatientID``). The root of the
    tree (:attr:`FileSet.tree`) has no record and the type ``"ROOT"``.

    Attributes
    ----------
    record : Dataset or None
        The directory record (``None`` for the root).
    record_type : str
        Its Directory Record Type, e.g. ``"PATIENT"`` or ``"IMAGE"``.
    parent : RecordNode or None
        The node above (``None`` for the root and for detached nodes).
    children : list of RecordNode
        The nodes of the level below, in DICOMDIR order.
    instance : FileInstance or None
        The instance this record references, if it references a file.
    offset : int or None
        The record's byte offset in the DICOMDIR as last read or written.

    Examples
    --------
    >>> from dicodec import examples
    >>> from dicodec.fileset import FileSet
    >>> fs = FileSet()
    >>> instance = fs.add(examples.ct)
    >>> [node.record_type for node in fs.tree.walk()]
    ['PATIENT', 'STUDY', 'SERIES', 'IMAGE']
    >>> instance.node.parent.Modality
    'CT'
    """

    def __init__(self, record: Dataset | None, record_type: str, offset: int | None = None) -> None:
        self.record = record
        self.record_type = record_type
        self.parent: RecordNode | None = None
        self.children: list[RecordNode] = []
        self.instance: FileInstance | None = None
        self.offset = offset
        self._index: dict[tuple[str, str | None], RecordNode] | None = (
            None  # children by (type, key)
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in (
            "record",
            "record_type",
            "parent",
            "children",
            "instance",
            "offset",
        ):
            raise AttributeError(name)
        record = self.__dict__.get("record")
        if record is not None and name[:1].isupper() and name in record:
            return getattr(record, name)
        raise AttributeError(f"{type(self).__name__} has no attribute or record element {name!r}")

    def __contains__(self, keyword: str | int) -> bool:
        return self.record is not None and keyword in self.record

    def __iter__(self) -> Iterator[RecordNode]:
        return iter(list(self.children))

    def __len__(self) -> int:
        return len(self.children)

    def __bool__(self) -> bool:
        return True

    @property
    def is_root(self) -> bool:
        """True for the tree's root (which has no record)."""
        return self.record is None

    @property
    def depth(self) -> int:
        """0 for the root, 1 for the root level's records, and so on."""
        depth, node = 0, self
        while node.parent is not None:
            depth, node = depth + 1, node.parent
        return depth

    @property
    def ancestors(self) -> list[RecordNode]:
        """The nodes above, nearest first, without the root."""
        out = []
        node = self.parent
        while node is not None and not node.is_root:
            out.append(node)
            node = node.parent
        return out

    @property
    def key(self) -> str | None:
        """What identifies the record among its siblings.

        Patient ID for PATIENT, Study / Series Instance UID for STUDY / SERIES, Private
        Record UID for PRIVATE, otherwise the referenced SOP Instance UID.
        """
        if self.record is None:
            return None
        keyword = _KEY_KEYWORD.get(self.record_type)
        tags = [_PRIVATE_RECORD_UID] if self.record_type == "PRIVATE" else []
        if keyword is not None:
            from .datadict import tag_for_keyword

            tags = [tag_for_keyword(keyword) or 0]
        tags.append(_REF_SOP_INSTANCE)
        for tag in tags:
            if tag in self.record:
                value = self.record[tag].value
                if value not in (None, ""):
                    return str(value).strip()
        return None

    def walk(self) -> Iterator[RecordNode]:
        """Every node below this one, depth first, each before its children."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def _detach(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent._index = None
            self.parent = None

    def _append(self, child: RecordNode) -> None:
        child.parent = self
        self.children.append(child)
        if self._index is not None:
            self._index.setdefault((child.record_type, child.key), child)

    def _child(self, record_type: str, key: str | None) -> RecordNode | None:
        """The first child of ``record_type`` whose :attr:`key` is ``key``."""
        if self._index is None:
            self._index = {}
            for child in self.children:
                self._index.setdefault((child.record_type, child.key), child)
        return self._index.get((record_type, key))

    def __repr__(self) -> str:
        if self.is_root:
            return f"<RecordNode ROOT, {len(self.children)} children>"
        return f"<RecordNode {self.record_type} {self.key!r} at offset {self.offset}>"


class FileInstance:
    """A file of the File-set, as seen through the directory records that reference it.

    Element keywords are looked up in the instance's record, then in the records
    above it (series, study, patient): ``instance.PatientID``, ``instance["Modality"]``.
    :meth:`load` reads the file itself.

    Attributes
    ----------
    node : RecordNode
        The record that references the file.

    Examples
    --------
    >>> from dicodec import examples
    >>> from dicodec.fileset import FileSet
    >>> fs = FileSet()
    >>> instance = fs.add(examples.mr)
    >>> instance.PatientName == examples.mr.PatientName, instance.SeriesNumber == 2
    (True, True)
    >>> instance.SOPInstanceUID == examples.mr.SOPInstanceUID
    True
    >>> instance.load().Modality
    'MR'
    """

    def __init__(self, node: RecordNode, file_set: FileSet) -> None:
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "_file_set", file_set)
        object.__setattr__(
            self, "_path", None
        )  # absolute path of the file (None before the first write)
        object.__setattr__(
            self, "_staged", False
        )  # staged for addition: the file is at _path, outside the set
        object.__setattr__(self, "_missing", False)  # the referenced file did not exist when read
        object.__setattr__(self, "_removed", False)
        node.instance = self

    # ------------------------------------------------------------- records
    def _element(self, tag: int) -> DataElement | None:
        tags = (_ALIASES[tag], tag) if tag in _ALIASES else (tag,)
        node: RecordNode | None = self.node
        while node is not None and node.record is not None:
            for t in tags:
                if t in node.record:
                    elem: DataElement = node.record[t]
                    return elem
            node = node.parent
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not name[:1].isupper():
            raise AttributeError(name)
        from .datadict import tag_for_keyword

        tag = tag_for_keyword(name)
        if tag is not None:
            elem = self._element(tag)
            if elem is not None:
                return elem.value
        raise AttributeError(f"no directory record of this instance has {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1].isupper():
            raise AttributeError(
                "directory records are read-only through FileInstance; change node.record instead"
            )
        object.__setattr__(self, name, value)

    def __getitem__(self, key: str | int) -> DataElement:
        from .tag import Tag

        tag = Tag(key)
        elem = self._element(tag)
        if elem is None:
            raise KeyError(key)
        return elem

    def __contains__(self, key: str | int) -> bool:
        try:
            self[key]
        except (KeyError, ValueError, TypeError):
            return False
        return True

    def get(self, key: str | int, default: Any = None) -> Any:
        """A value by keyword (an element by tag) from the records, or ``default``."""
        try:
            elem = self[key]
        except (KeyError, ValueError, TypeError):
            return default
        return elem.value if isinstance(key, str) else elem

    @property
    def records(self) -> list[Dataset]:
        """The directory records from the root level down to this instance's."""
        nodes = [self.node, *self.node.ancestors]
        return [n.record for n in reversed(nodes) if n.record is not None]

    def _level(self, record_type: str) -> RecordNode | None:
        for node in self.node.ancestors:
            if node.record_type == record_type:
                return node
        return None

    @property
    def patient(self) -> RecordNode | None:
        """The PATIENT record above this instance (``None`` if there is none)."""
        return self._level("PATIENT")

    @property
    def study(self) -> RecordNode | None:
        """The STUDY record above this instance (``None`` if there is none)."""
        return self._level("STUDY")

    @property
    def series(self) -> RecordNode | None:
        """The SERIES record above this instance (``None`` if there is none)."""
        return self._level("SERIES")

    # ---------------------------------------------------------------- file
    @property
    def file_set(self) -> FileSet:
        """The File-set holding this instance."""
        fs: FileSet = self._file_set
        return fs

    @property
    def file_id(self) -> list[str] | None:
        """The Referenced File ID as a list of components (``None`` until written)."""
        record = self.node.record
        if self._staged or record is None or _FILE_ID not in record:
            return None
        return _components(record[_FILE_ID].value)

    @property
    def FileID(self) -> str | None:
        """The Referenced File ID as a relative path (``/`` separated), ``None`` until written."""
        parts = self.file_id
        return "/".join(parts) if parts else None

    @property
    def path(self) -> str:
        """The absolute path of the file.

        For an instance staged for addition, the file that :meth:`FileSet.write` will
        copy into the File-set.
        """
        if self._path is None:
            raise FileSetError("this instance has no file yet")
        path: str = self._path
        return path

    @property
    def exists(self) -> bool:
        """Whether the referenced file exists."""
        return self._path is not None and os.path.isfile(self._path)

    @property
    def is_staged(self) -> bool:
        """True if the instance is staged for addition (not in the File-set's folder yet)."""
        return bool(self._staged)

    @property
    def for_addition(self) -> bool:
        """Same as :attr:`is_staged` (pydicom's name)."""
        return bool(self._staged)

    @property
    def SOPInstanceUID(self) -> str | None:
        """The Referenced SOP Instance UID in File (0004,1511)."""
        elem = self._element(_REF_SOP_INSTANCE)
        return None if elem is None or elem.value is None else str(elem.value)

    @property
    def SOPClassUID(self) -> str | None:
        """The Referenced SOP Class UID in File (0004,1510)."""
        elem = self._element(_REF_SOP_CLASS)
        return None if elem is None or elem.value is None else str(elem.value)

    @property
    def TransferSyntaxUID(self) -> str | None:
        """The Referenced Transfer Syntax UID in File (0004,1512)."""
        elem = self._element(_REF_TRANSFER_SYNTAX)
        return None if elem is None or elem.value is None else str(elem.value)

    def _missing_error(self, path: str | None = None) -> MissingFileError:
        where = _describe(self.node.record_type, self.node.offset)
        return MissingFileError(
            f"{where} references File ID {self.FileID or '(none)'!s}, which does not exist: "
            f"{path or self._path}",
            tag=_FILE_ID,
            offset=self.node.offset,
        )

    def load(self, **kwargs: Any) -> FileDataset:
        """Read the referenced file.

        Parameters
        ----------
        **kwargs
            Passed on to :func:`dicodec.dcmread` (``stop_before_pixels``, ``specific_tags``, ...).

        Raises
        ------
        MissingFileError
            The file does not exist; the message names the record and its offset.
        """
        from .filereader import dcmread

        if self._path is None or not os.path.isfile(self._path):
            raise self._missing_error()
        return dcmread(self._path, **kwargs)

    def __repr__(self) -> str:
        state = " (staged)" if self._staged else " (missing)" if self._missing else ""
        return f"<FileInstance {self.node.record_type} {self.FileID or self._path!s}{state}>"


def _components(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    parts = [value] if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for part in parts:
        out.extend(p.strip() for p in re.split(r"[/\\]", part))
    if all(p == "" for p in out):
        return None  # an empty File ID references nothing
    return out


def _safe_components(parts: list[str], where: str, offset: int | None) -> list[str]:
    for part in parts:
        if part in ("", ".", "..") or ":" in part or part.startswith("~"):
            raise DICOMDIRError(
                f"{where} has the unsafe Referenced File ID {'/'.join(parts)!r}: "
                "File IDs must stay inside the File-set's folder",
                tag=_FILE_ID,
                offset=offset,
            )
    return parts


class _CaseInsensitive:
    """Finds files whose names differ from their File ID only in case (media copied from CD)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.listings: dict[str, dict[str, str]] = {}

    def resolve(self, parts: list[str]) -> str | None:
        path = self.root
        for part in parts:
            names = self.listings.get(path)
            if names is None:
                try:
                    names = {name.upper(): name for name in os.listdir(path)}
                except OSError:
                    names = {}
                self.listings[path] = names
            actual = names.get(part.upper())
            if actual is None:
                return None
            path = os.path.join(path, actual)
        return path if os.path.isfile(path) else None


# -------------------------------------------------------------------- the set
class FileSet:
    """A DICOM File-set: the DICOMDIR's record tree and the files it references.

    Parameters
    ----------
    path : str, PathLike, FileDataset or None
        The DICOMDIR (or the folder holding one, or a DICOMDIR read with
        :func:`dicodec.dcmread` from a path). ``None`` starts a new, empty File-set
        that :meth:`write` creates.
    missing : {"warn", "raise", "ignore"}
        What to do when records reference files that do not exist: warn once, raise
        :class:`MissingFileError`, or say nothing. Such records stay in the tree (and
        in what :meth:`write` / :meth:`copy` writes) and are listed in
        :attr:`missing`, but are not managed instances: iteration, ``len()``,
        :meth:`find` and :meth:`find_values` skip them.

    Raises
    ------
    DICOMDIRError
        The DICOMDIR is damaged (offsets pointing nowhere, loops, unsafe File IDs).
    InvalidDicomError
        The file is not DICOM.

    Examples
    --------
    >>> import os, tempfile
    >>> from dicodec import examples
    >>> from dicodec.fileset import FileSet
    >>> fs = FileSet()
    >>> _ = fs.add(examples.ct)
    >>> _ = fs.add(examples.overlay)
    >>> root = tempfile.mkdtemp()
    >>> fs.write(root)
    >>> print(FileSet(root))  # doctest: +ELLIPSIS
    DICOM File-set
      Root directory: ...
      File-set ID: (none)
      File-set UID: 2.25...
      Managed instances: 2 (2 patients, 2 studies, 2 series)
    <BLANKLINE>
      PATIENT: PatientID='DICODEC-CT-0001', PatientName='Example^CT'
        STUDY: StudyDate=20240115, StudyDescription='CT CHEST'
          SERIES: Modality=CT, SeriesNumber=1
            IMAGE: InstanceNumber=1, CT Image Storage, PT000000/ST000000/SE000000/IM000000
      PATIENT: PatientID='DICODEC-MR-0001', PatientName='Müller^Anna'
        STUDY: StudyDate=20240115, StudyDescription='MR HEAD'
          SERIES: Modality=MR, SeriesNumber=3
            IMAGE: InstanceNumber=1, MR Image Storage, PT000001/ST000000/SE000000/IM000000
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | FileDataset | None = None,
        *,
        missing: MissingPolicy = "warn",
    ) -> None:
        if missing not in ("warn", "raise", "ignore"):
            raise ValueError(f"missing must be 'warn', 'raise' or 'ignore', not {missing!r}")
        from .uid import generate_uid

        self._tree = RecordNode(None, "ROOT")
        self._root_path: str | None = None
        self._dicomdir_path: str | None = None
        self._id: str | None = None
        self._uid: str = str(generate_uid())
        self._descriptor_id: list[str] | None = None
        self._descriptor_charset: str | None = None
        self._removed: list[FileInstance] = []
        self._changed = path is None
        self._uids: dict[str, FileInstance] | None = None
        self._stage_dir: str | None = None
        self._finalizer: Any = None
        if path is not None:
            self._read(path, missing)

    # ------------------------------------------------------------- reading
    def _read(self, source: str | os.PathLike[str] | FileDataset, missing: MissingPolicy) -> None:
        from .filereader import dcmread
        from .uid import UID

        if isinstance(source, Dataset):
            filename = getattr(source, "filename", None)
            if not isinstance(filename, str):
                raise FileSetError(
                    "the DICOMDIR data set was not read from a path: pass the path instead"
                )
            source = filename
        path = os.path.abspath(os.fspath(source))
        if os.path.isdir(path):
            path = os.path.join(path, "DICOMDIR")
        with open(path, "rb") as fh:
            buf = fh.read()
        ds = dcmread(buf)
        try:
            if _RECORDS not in ds:
                raise DICOMDIRError(
                    f"{path} is not a DICOMDIR: it has no (0004,1220) Directory Record Sequence"
                )
            sop_class = ds.file_meta.get("MediaStorageSOPClassUID") or ds.get("SOPClassUID")
            if str(sop_class or "").strip() != MEDIA_STORAGE_DIRECTORY_STORAGE:
                _warn(
                    f"{path} is not a Media Storage Directory Storage instance (SOP Class {sop_class!s}); read anyway"
                )
            ts = ds.file_meta.get("TransferSyntaxUID")
            if ts and UID(str(ts)).is_deflated:
                raise DICOMDIRError(
                    f"{path}: the records of a deflated DICOMDIR cannot be located by byte offsets"
                )
            if ds.get(_CONSISTENCY) is not None and _int_value(ds, _CONSISTENCY, "the DICOMDIR"):
                _warn(
                    f"{path}: (0004,1212) File-set Consistency Flag is not 0: the File-set may be inconsistent"
                )
            self._root_path = os.path.dirname(path)
            self._dicomdir_path = path
            file_set_id = ds.get("FileSetID")
            self._id = str(file_set_id).strip() if file_set_id else None
            uid = ds.file_meta.get("MediaStorageSOPInstanceUID") or ds.get("SOPInstanceUID")
            if uid:
                self._uid = str(uid).strip()
            descriptor = ds[_DESCRIPTOR_ID].value if _DESCRIPTOR_ID in ds else None
            self._descriptor_id = _components(descriptor)
            charset = ds.get("SpecificCharacterSetOfFileSetDescriptorFile")
            self._descriptor_charset = str(charset) if charset else None

            element = ds[_RECORDS]
            records: list[Dataset] = list(element.value)
            implicit, little = ds.original_encoding
            offsets = (
                _record_offsets(buf, element.file_tell, bool(implicit), little is not False)
                if records
                else []
            )
            if len(offsets) != len(records):
                raise DICOMDIRError(
                    f"{path}: found {len(offsets)} item headers for the {len(records)} directory records",
                    tag=_RECORDS,
                    offset=element.file_tell,
                )
            has_offsets = _FIRST in ds or any(_NEXT in r or _LOWER in r for r in records)
            if not records:
                pass
            elif has_offsets:
                self._link_by_offsets(ds, records, offsets, path)
            else:
                _warn(
                    f"{path} has no directory record offsets: the hierarchy is inferred from the record order"
                )
                self._link_in_order(records, offsets)
            self._attach_instances(missing)
        except DicodecError:
            raise
        except (ValueError, TypeError, IndexError, KeyError, OverflowError, struct.error) as exc:
            # a damaged value deep in a record (e.g. a garbled character set) that the
            # element conversion does not report as a dicodec error itself
            raise DICOMDIRError(
                f"{path}: the directory records cannot be read: {type(exc).__name__}: {exc}"
            ) from exc

    def _link_by_offsets(
        self, ds: Dataset, records: list[Dataset], offsets: list[int], path: str
    ) -> None:
        index = {offset: i for i, offset in enumerate(offsets)}
        if _FIRST not in ds:
            raise DICOMDIRError(
                f"{path} lacks {_TAG_NAMES[_FIRST]} although its records have offsets", tag=_FIRST
            )
        first = _int_value(ds, _FIRST, "the DICOMDIR")
        visited: set[int] = set()
        inactive = 0
        flags = [_int_value(r, _IN_USE, "a directory record") for r in records if _IN_USE in r]
        honour_flags = any(flags) or not flags
        if not honour_flags:
            _warn(f"{path}: every Record In-use Flag is 0 (inactive): the flags are ignored")
        # (parent node, offset of the first record of a chain, who points there: (offset, tag, type))
        stack: list[tuple[RecordNode, int, tuple[int | None, int, str | None]]] = [
            (self._tree, first, (None, _FIRST, None))
        ]
        while stack:
            parent, offset, (from_offset, from_tag, from_type) = stack.pop()
            while offset:
                where = "the DICOMDIR" if from_offset is None else _describe(from_type, from_offset)
                i = index.get(offset)
                if i is None:
                    raise DICOMDIRError(
                        f"{where}: {_TAG_NAMES[from_tag]} is {offset}, where no directory record starts",
                        tag=from_tag,
                        offset=from_offset,
                    )
                if offset in visited:
                    raise DICOMDIRError(
                        f"{where}: {_TAG_NAMES[from_tag]} points back to the record at offset {offset}, "
                        "which is already in the tree (the records form a loop)",
                        tag=from_tag,
                        offset=from_offset,
                    )
                visited.add(offset)
                record = records[i]
                record_type = _record_type_of(record, offset)
                here = _describe(record_type, offset)
                if honour_flags and _IN_USE in record and _int_value(record, _IN_USE, here) == 0:
                    inactive += 1  # an inactive record (and whatever hangs below it) is skipped
                else:
                    node = RecordNode(record, record_type, offset)
                    parent._append(node)
                    lower = _int_value(record, _LOWER, here)
                    if lower:
                        stack.append((node, lower, (offset, _LOWER, record_type)))
                following = _int_value(record, _NEXT, here)
                from_offset, from_tag, from_type = offset, _NEXT, record_type
                offset = following
        if self._tree.children and _LAST in ds:
            last = _int_value(ds, _LAST, "the DICOMDIR")
            if last and last != self._tree.children[-1].offset:
                _warn(
                    f"{path}: (0004,1202) Offset of the Last Directory Record of the Root Directory Entity is "
                    f"{last}, but the last root record is at offset {self._tree.children[-1].offset}"
                )
        unreached = len(records) - len(visited)
        if unreached:
            _warn(
                f"{path}: {unreached} directory record(s) are not reachable from the root and are ignored"
            )
        if inactive:
            _warn(
                f"{path}: {inactive} inactive directory record(s) (Record In-use Flag 0) are ignored"
            )

    def _link_in_order(self, records: list[Dataset], offsets: list[int]) -> None:
        levels = {"STUDY": 1, "SERIES": 2}
        stack: list[tuple[int, RecordNode]] = []
        for record, offset in zip(records, offsets, strict=True):
            record_type = _record_type_of(record, offset)
            level = 0 if record_type in _ROOT_LEVEL_TYPES else levels.get(record_type, 3)
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else self._tree
            node = RecordNode(record, record_type, offset)
            parent._append(node)
            stack.append((level, node))

    def _attach_instances(self, missing: MissingPolicy) -> None:
        root = self._root_path
        assert root is not None
        resolver = _CaseInsensitive(root)
        absent: list[FileInstance] = []
        for node in self._tree.walk():
            record = node.record
            assert record is not None
            if _FILE_ID not in record:
                continue
            parts = _components(record[_FILE_ID].value)
            if not parts:
                continue
            _safe_components(parts, _describe(node.record_type, node.offset), node.offset)
            instance = FileInstance(node, self)
            path = os.path.join(root, *parts)
            if not os.path.isfile(path):
                found = resolver.resolve(parts)
                if found is not None:
                    path = found
                else:
                    instance._missing = True
                    absent.append(instance)
            instance._path = path
        if absent:
            if missing == "raise":
                raise absent[0]._missing_error()
            if missing == "warn":
                first = absent[0]
                _warn(
                    f"{len(absent)} directory record(s) reference files that do not exist, e.g. "
                    f"{_describe(first.node.record_type, first.node.offset)}: {first.FileID}; "
                    "they are kept in the DICOMDIR but are not managed instances (see FileSet.missing)"
                )

    # ---------------------------------------------------------- properties
    @property
    def path(self) -> str | None:
        """The absolute path of the File-set's root folder (``None`` for a new File-set)."""
        return self._root_path

    @property
    def dicomdir_path(self) -> str | None:
        """The absolute path of the DICOMDIR file (``None`` for a new File-set)."""
        return self._dicomdir_path

    @property
    def tree(self) -> RecordNode:
        """The root of the record tree; its children are the root level's records."""
        return self._tree

    @property
    def ID(self) -> str | None:
        """The File-set ID (0004,1130): at most 16 of ``A-Z 0-9 _`` and space."""
        return self._id

    @ID.setter
    def ID(self, value: str | None) -> None:
        if value is not None and not _FILE_SET_ID_RE.match(str(value)):
            raise InvalidValueError(
                f"a File-set ID is at most 16 characters from A-Z, 0-9, space and _: {value!r}"
            )
        self._id = str(value) if value else None
        self._changed = True

    @property
    def UID(self) -> str:
        """The File-set UID (the DICOMDIR's Media Storage SOP Instance UID)."""
        return self._uid

    @UID.setter
    def UID(self, value: str) -> None:
        from .uid import UID

        if not UID(str(value)).is_valid:
            raise InvalidValueError(f"not a valid UID: {value!r}")
        self._uid = str(value)
        self._changed = True

    @property
    def descriptor_file_id(self) -> str | None:
        """The File-set Descriptor File ID (0004,1141) as a ``/``-separated path, if any."""
        return "/".join(self._descriptor_id) if self._descriptor_id else None

    @descriptor_file_id.setter
    def descriptor_file_id(self, value: str | list[str] | None) -> None:
        parts = _components(value)
        if parts is not None and not is_conformant_file_id(parts):
            raise InvalidValueError(f"not a conformant File ID: {value!r}")
        self._descriptor_id = parts
        self._changed = True

    @property
    def descriptor_character_set(self) -> str | None:
        """The Specific Character Set of the File-set Descriptor File (0004,1142)."""
        return self._descriptor_charset

    @descriptor_character_set.setter
    def descriptor_character_set(self, value: str | None) -> None:
        self._descriptor_charset = value or None
        self._changed = True

    @property
    def is_staged(self) -> bool:
        """True when changes wait for :meth:`write`."""
        return self._changed or bool(self._removed)

    @property
    def missing(self) -> list[FileInstance]:
        """Records whose referenced file did not exist when the File-set was read."""
        return [
            n.instance for n in self._tree.walk() if n.instance is not None and n.instance._missing
        ]

    def _instances(self) -> list[FileInstance]:
        return [
            n.instance
            for n in self._tree.walk()
            if n.instance is not None and not n.instance._missing
        ]

    def __iter__(self) -> Iterator[FileInstance]:
        return iter(self._instances())

    def __len__(self) -> int:
        return len(self._instances())

    def __contains__(self, item: object) -> bool:
        if isinstance(item, FileInstance):
            return item.file_set is self and not item._removed and not item._missing
        return any(inst.SOPInstanceUID == item for inst in self)

    # ------------------------------------------------------------- display
    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<FileSet {self.ID or '(no ID)'} at {self.path or '(not written)'}: {len(self)} instances>"

    def summary(self, max_instances: int | None = 50) -> str:
        """The File-set as text: identification, counts and the record tree.

        Parameters
        ----------
        max_instances : int or None
            At most this many instance records are listed under one parent record;
            the rest are counted. ``None`` lists all.
        """
        counts = {"PATIENT": 0, "STUDY": 0, "SERIES": 0}
        for node in self._tree.walk():
            if node.record_type in counts:
                counts[node.record_type] += 1
        n = len(self)
        lines = [
            "DICOM File-set",
            f"  Root directory: {self.path or '(not written yet)'}",
            f"  File-set ID: {self.ID or '(none)'}",
            f"  File-set UID: {self.UID}",
            f"  Managed instances: {n} ({_plural(counts['PATIENT'], 'patient')}, "
            f"{_plural(counts['STUDY'], 'study', 'studies')}, {_plural(counts['SERIES'], 'series', 'series')})",
        ]
        if self.descriptor_file_id:
            lines.append(f"  Descriptor file ID: {self.descriptor_file_id}")
        absent = self.missing
        if absent:
            lines.append(
                f"  Missing files: {_plural(len(absent), 'record')} reference files that do not exist"
            )
        staged = [i for i in self._instances() if i._staged]
        if staged or self._removed:
            changes = []
            if staged:
                changes.append(_plural(len(staged), "addition"))
            if self._removed:
                changes.append(_plural(len(self._removed), "removal"))
            lines.append(f"  Changes staged for write(): {', '.join(changes)}")
        if not self._tree.children:
            return "\n".join(lines)
        lines.append("")
        stack: list[tuple[RecordNode | str, int]] = [(c, 1) for c in reversed(self._tree.children)]
        while stack:
            entry, depth = stack.pop()
            if isinstance(entry, str):
                lines.append("  " * depth + entry)
                continue
            lines.append("  " * depth + _record_line(entry))
            children: list[RecordNode | str] = list(entry.children)
            leaves = [c for c in entry.children if not c.children]
            if max_instances is not None and len(leaves) > max_instances:
                hidden = {id(c) for c in leaves[max_instances:]}
                children = [c for c in entry.children if id(c) not in hidden]
                children.append(f"... and {len(hidden)} more {leaves[-1].record_type} records")
            stack.extend((c, depth + 1) for c in reversed(children))
        return "\n".join(lines)

    # -------------------------------------------------------------- search
    def find(self, load: bool = False, **filters: Any) -> list[FileInstance]:
        """The managed instances whose attributes match every ``keyword=value`` filter.

        A filter matches when the element is present with an equal value (or, for a
        callable, when ``value(element_value)`` is true). Elements are looked up in
        the instance's record and the records above it (series, study, patient).

        Parameters
        ----------
        load : bool
            Also read the instance files (only the elements asked for) for the
            filters the records cannot answer.
        **filters
            Element keywords and the values to match.

        Returns
        -------
        list of FileInstance

        Examples
        --------
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> fs = FileSet()
        >>> for name in ("ct", "mr", "overlay"):
        ...     _ = fs.add(examples.get(name))
        >>> len(fs.find(PatientID="DICODEC-MR-0001")), len(fs.find(Modality="MR", SeriesNumber=3))
        (2, 1)
        >>> len(fs.find(load=True, Rows=256)), len(fs.find(SeriesNumber=lambda n: n > 1))
        (2, 2)
        """
        tags = {kw: _tag_for(kw) for kw in filters}
        instances = self._instances()
        if not filters:
            return instances
        in_records = {kw: False for kw in filters}
        out = []
        for inst in instances:
            pending = []
            ok = True
            for kw, tag in tags.items():
                elem = inst._element(tag)
                if elem is None:
                    pending.append(kw)
                    continue
                in_records[kw] = True
                if not _matches(elem.value, filters[kw]):
                    ok = False
                    break
            if not ok:
                continue
            if pending:
                if not load:
                    continue
                ds = inst.load(specific_tags=[tags[kw] for kw in pending])
                if not all(
                    tags[kw] in ds and _matches(ds[tags[kw]].value, filters[kw]) for kw in pending
                ):
                    continue
            out.append(inst)
        absent = [kw for kw, seen in in_records.items() if not seen]
        if absent and not load and instances:
            _warn(
                f"no directory record has {', '.join(absent)}: use load=True to search the files themselves"
            )
        return out

    def find_values(
        self,
        elements: str | int | list[str | int],
        instances: Iterable[FileInstance] | None = None,
        load: bool = False,
    ) -> list[Any] | dict[str | int, list[Any]]:
        """The sorted distinct values of one element (or a dict of them for several).

        Empty values are left out. Values come from the directory records (the
        instance's and those above it); with ``load=True`` from the files when the
        records lack the element.

        Parameters
        ----------
        elements : str, int or list of them
            Keyword(s) or tag(s).
        instances : iterable of FileInstance, optional
            Search only these (default: every managed instance).
        load : bool
            Read the files for elements the records lack.

        Examples
        --------
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> fs = FileSet()
        >>> for name in ("ct", "mr", "overlay"):
        ...     _ = fs.add(examples.get(name))
        >>> fs.find_values("SeriesNumber")      # IS values, equal to ints
        ['1', '2', '3']
        >>> fs.find_values(["Modality", "Rows"], load=True)
        {'Modality': ['CT', 'MR'], 'Rows': [256, 512]}
        """
        keys = [elements] if isinstance(elements, (str, int)) else list(elements)
        tags = [_tag_for(k) for k in keys]
        found: dict[str | int, dict[Any, Any]] = {k: {} for k in keys}
        pool = self._instances() if instances is None else list(instances)
        seen = {k: False for k in keys}
        for inst in pool:
            ds: Dataset | None = None
            for key, tag in zip(keys, tags, strict=True):
                elem = inst._element(tag)
                value = elem.value if elem is not None else None
                if elem is None and load:
                    if ds is None:
                        ds = inst.load(specific_tags=tags)
                    value = ds[tag].value if tag in ds else None
                elif elem is not None:
                    seen[key] = True
                if _is_empty(value):
                    continue
                found[key].setdefault(_hashable(value), value)
        absent = [str(k) for k in keys if not seen[k]]
        if absent and not load and pool:
            _warn(f"no directory record has {', '.join(absent)}: use load=True to read the files")
        result = {k: sorted(found[k].values(), key=_sort_key) for k in keys}
        if isinstance(elements, (str, int)):
            return result[elements]
        return result

    # ------------------------------------------------------------- changes
    def _staging(self) -> str:
        if self._stage_dir is None:
            self._stage_dir = tempfile.mkdtemp(prefix="dicodec-fileset-")
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._stage_dir, True)
        return self._stage_dir

    def add(self, ds_or_path: Dataset | str | os.PathLike[str]) -> FileInstance:
        """Stage an instance for addition; :meth:`write` copies it into the File-set.

        The PATIENT, STUDY and SERIES records are created when the File-set has none
        for the instance's Patient ID, Study and Series Instance UIDs; the instance's
        own record type follows its SOP Class (:func:`record_type_for`). Root-level
        types (PALETTE, HANGING PROTOCOL, IMPLANT ...) get a single record.

        Parameters
        ----------
        ds_or_path : Dataset, str or PathLike
            A data set (written now, as a conformant Part 10 file, to a private
            staging folder, so later changes to it do not leak in) or the path of a
            Part 10 file (copied at :meth:`write`).

        Returns
        -------
        FileInstance

        Raises
        ------
        FileSetError
            The instance lacks SOP Class / SOP Instance UID or an identifying
            attribute (Patient ID, Study or Series Instance UID), is a DICOMDIR, or
            is already in the File-set.

        Examples
        --------
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> fs = FileSet()
        >>> _ = fs.add(examples.rgb_color)
        >>> _ = fs.add(examples.palette)      # same patient and study, another series
        >>> [(n.record_type, len(n.children)) for n in fs.tree.walk()][:3]
        [('PATIENT', 1), ('STUDY', 2), ('SERIES', 1)]
        """
        from .filereader import dcmread

        source: str | None = None
        if isinstance(ds_or_path, Dataset):
            ds = ds_or_path
        elif isinstance(ds_or_path, (str, os.PathLike)):
            source = os.path.abspath(os.fspath(ds_or_path))
            ds = dcmread(source, stop_before_pixels=True)
        else:
            raise TypeError(f"add() takes a Dataset or a path, not {type(ds_or_path).__name__}")
        sop_class, sop_instance = _sop_class_of(ds), _sop_instance_of(ds)
        if not sop_class or not sop_instance:
            raise FileSetError(
                "an instance needs a SOP Class UID and a SOP Instance UID to join a File-set"
            )
        if sop_class == MEDIA_STORAGE_DIRECTORY_STORAGE:
            raise FileSetError("a DICOMDIR cannot be added to a File-set")
        replaced = self._uid_index().get(sop_instance)
        if replaced is not None and not replaced._missing:
            raise FileSetError(f"the SOP Instance {sop_instance} is already in the File-set")
        leaf_type = record_type_for(ds)
        levels = [] if leaf_type in _ROOT_LEVEL_TYPES else ["PATIENT", "STUDY", "SERIES"]
        keys = [_instance_key(ds, record_type) for record_type in levels]
        leaf_record = _make_record(ds, leaf_type)

        # the file: a conformant Part 10 file, from the path given or written to the staging folder
        meta = ds.__dict__.get("file_meta")
        ts = meta.get("TransferSyntaxUID") if meta is not None else None
        if source is None or getattr(ds, "preamble", None) is None or not ts:
            if source is not None:
                ds = dcmread(source)
            fd, staged = tempfile.mkstemp(prefix="staged-", suffix=".dcm", dir=self._staging())
            os.close(fd)
            try:
                _write_part10(ds, staged)
            except BaseException:
                _unlink_quietly(staged)
                raise
            from .filereader import read_file_meta_info

            ts = read_file_meta_info(staged).get("TransferSyntaxUID")
            source = staged
        leaf_record[_REF_SOP_CLASS] = DataElement(_REF_SOP_CLASS, "UI", sop_class)
        leaf_record[_REF_SOP_INSTANCE] = DataElement(_REF_SOP_INSTANCE, "UI", sop_instance)
        leaf_record[_REF_TRANSFER_SYNTAX] = DataElement(_REF_TRANSFER_SYNTAX, "UI", str(ts))

        # nothing can fail from here on: link the records in
        if replaced is not None:
            self.remove(replaced)
        parent = self._tree
        for record_type, key in zip(levels, keys, strict=True):
            match = parent._child(record_type, key)
            if match is None:
                match = RecordNode(_make_record(ds, record_type), record_type)
                parent._append(match)
            parent = match
        leaf = RecordNode(leaf_record, leaf_type)
        parent._append(leaf)
        instance = FileInstance(leaf, self)
        instance._staged = True
        instance._path = source
        self._uid_index()[sop_instance] = instance
        self._changed = True
        return instance

    def _forget(self, inst: FileInstance) -> None:
        uid = inst.SOPInstanceUID
        if uid and self._uids is not None and self._uids.get(uid) is inst:
            del self._uids[uid]

    def _uid_index(self) -> dict[str, FileInstance]:
        """Every instance in the tree (missing files included) by SOP Instance UID."""
        if self._uids is None:
            self._uids = {}
            for node in self._tree.walk():
                inst = node.instance
                if inst is not None and inst.SOPInstanceUID:
                    self._uids.setdefault(inst.SOPInstanceUID, inst)
        return self._uids

    def remove(self, instance: FileInstance | Iterable[FileInstance]) -> None:
        """Stage instances for removal; :meth:`write` deletes their records and files.

        Records left without children (and without a file of their own) go too. A
        staged addition is simply dropped. Records whose file is missing
        (:attr:`missing`) can be removed the same way.

        Parameters
        ----------
        instance : FileInstance or iterable of FileInstance

        Examples
        --------
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> fs = FileSet()
        >>> ct, mr = fs.add(examples.ct), fs.add(examples.mr)
        >>> fs.remove(ct)
        >>> len(fs), [n.record_type for n in fs.tree.children]
        (1, ['PATIENT'])
        """
        items = [instance] if isinstance(instance, FileInstance) else list(instance)
        for inst in items:
            if not isinstance(inst, FileInstance) or inst.file_set is not self or inst._removed:
                raise FileSetError(f"{inst!r} is not in this File-set")
        for inst in items:
            node = inst.node
            parent = node.parent
            node._detach()
            while (
                parent is not None
                and not parent.is_root
                and not parent.children
                and parent.instance is None
            ):
                above = parent.parent
                parent._detach()
                parent = above
            inst._removed = True
            self._forget(inst)
            if inst._staged:
                if (
                    self._stage_dir is not None
                    and inst._path is not None
                    and inst._path.startswith(self._stage_dir)
                ):
                    _unlink_quietly(inst._path)
            elif not inst._missing:
                self._removed.append(inst)
            self._changed = True

    # ------------------------------------------------------------- writing
    def write(
        self, path: str | os.PathLike[str] | None = None, *, restructure: bool = False
    ) -> None:
        """Write the DICOMDIR and apply the staged changes to the files.

        Staged additions are copied in under new conformant File IDs; existing
        instances keep theirs unless those are not conformant (or ``restructure``
        is set), in which case they get new ones. The DICOMDIR is written last,
        atomically: until it replaces the old one only new files exist, and any
        failure removes them again, so the previous File-set stays intact. Removed
        and moved files are deleted afterwards.

        Parameters
        ----------
        path : str or PathLike, optional
            The root folder, required for a new File-set (created if needed). An
            existing File-set is written where it is: use :meth:`copy` to write it
            elsewhere.
        restructure : bool
            Give every instance a new File ID (``PT000000/ST000000/SE000000/IM000000``
            style) even when its current one is conformant.

        Raises
        ------
        MissingFileError
            A file to copy or move does not exist (nothing was changed).
        WriteError
            The file system refused (nothing was changed).
        FileSetError
            No path for a new File-set, or a different path for an existing one.

        Examples
        --------
        >>> import os, tempfile
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> root = tempfile.mkdtemp()
        >>> fs = FileSet()
        >>> ct = fs.add(examples.ct)
        >>> fs.write(root)
        >>> _ = fs.add(examples.mr)
        >>> fs.remove(fs.find(Modality="CT"))
        >>> fs.write()
        >>> sorted(os.listdir(root)), [i.FileID for i in FileSet(root)]
        (['DICOMDIR', 'PT000001'], ['PT000001/ST000000/SE000000/IM000000'])
        """
        if path is not None:
            target = os.path.abspath(os.fspath(path))
            if self._root_path is not None and os.path.normcase(target) != os.path.normcase(
                self._root_path
            ):
                raise FileSetError(
                    f"this File-set lives in {self._root_path}: use copy() to write it to {target}"
                )
            root = target
        elif self._root_path is not None:
            root = self._root_path
        else:
            raise FileSetError("a new File-set needs a path: write(path)")
        dicomdir = self._dicomdir_path or os.path.join(root, "DICOMDIR")
        if self._root_path is None and os.path.exists(dicomdir):
            raise FileSetError(
                f"{root} already holds a DICOMDIR: open it with FileSet({dicomdir!r})"
            )
        result = self._write_with_root(root, dicomdir, in_place=True, restructure=restructure)

        # committed: first bring this object in line with the new DICOMDIR (so that an
        # interruption below cannot leave it describing the old one), then delete what
        # the new DICOMDIR no longer references
        keep = {os.path.normcase(os.path.abspath(p)) for p in result.paths.values()}
        obsolete = [p for p in result.obsolete if os.path.normcase(os.path.abspath(p)) not in keep]
        for inst in self._removed:
            if inst._path is not None and os.path.normcase(os.path.abspath(inst._path)) not in keep:
                obsolete.append(inst._path)
        staged_copies = []
        for inst, new_path in result.paths.items():
            if (
                inst._staged
                and self._stage_dir is not None
                and (inst._path or "").startswith(self._stage_dir)
            ):
                staged_copies.append(inst.path)
            inst._path = new_path
            inst._staged = False
        for node, (offset, record) in result.records.items():
            node.offset = offset
            node.record = record
        self._removed = []
        self._root_path = root
        self._dicomdir_path = dicomdir
        self._changed = False
        for old in obsolete:
            _unlink_quietly(old)
            _prune_dirs(os.path.dirname(old), root)
        for staged in staged_copies:
            _unlink_quietly(staged)

    def copy(self, path: str | os.PathLike[str], *, restructure: bool = False) -> FileSet:
        """Write a copy of the File-set, with all its files, under a new root folder.

        Staged changes are applied to the copy; this File-set is left as it is
        (still staged). Records whose file is missing are copied as records only.

        Parameters
        ----------
        path : str or PathLike
            The new root folder (created if needed; it must not hold a DICOMDIR).
        restructure : bool
            Give every instance a new File ID even when its current one is conformant.

        Returns
        -------
        FileSet
            The copy, read back from its new DICOMDIR.

        Raises
        ------
        MissingFileError
            A managed instance's file does not exist (nothing was written).
        FileSetError
            ``path`` is this File-set's own folder or already holds a DICOMDIR.

        Examples
        --------
        >>> import tempfile
        >>> from dicodec import examples
        >>> from dicodec.fileset import FileSet
        >>> fs = FileSet()
        >>> _ = fs.add(examples.waveform)
        >>> copied = fs.copy(tempfile.mkdtemp())
        >>> [(i.node.record_type, i.FileID) for i in copied]
        [('WAVEFORM', 'PT000000/ST000000/SE000000/WV000000')]
        """
        root = os.path.abspath(os.fspath(path))
        if self._root_path is not None and os.path.normcase(root) == os.path.normcase(
            self._root_path
        ):
            raise FileSetError("copy() needs a folder other than the File-set's own: use write()")
        dicomdir = os.path.join(root, "DICOMDIR")
        if os.path.exists(dicomdir):
            raise FileSetError(f"{root} already holds a DICOMDIR")
        self._write_with_root(root, dicomdir, in_place=False, restructure=restructure)
        return FileSet(dicomdir, missing="ignore" if self.missing else "warn")

    def _write_with_root(
        self, root: str, dicomdir: str, *, in_place: bool, restructure: bool
    ) -> _WriteResult:
        """:meth:`_write_to`, creating ``root`` first and removing it again on failure."""
        try:
            made = _makedirs(root)
        except OSError as exc:
            raise WriteError(f"the File-set could not be written to {root}: {exc}") from exc
        try:
            return self._write_to(root, dicomdir, in_place=in_place, restructure=restructure)
        except BaseException:
            _remove_empty_dirs(made)
            raise

    def _write_to(
        self, root: str, dicomdir: str, *, in_place: bool, restructure: bool
    ) -> _WriteResult:
        instances = self._instances()
        dangling = self.missing
        for inst in instances:
            if inst._path is None or not os.path.isfile(inst._path):
                raise inst._missing_error()
        if dangling:
            _warn(
                f"{_plural(len(dangling), 'record')} whose files are missing are written unchanged "
                "(remove them with FileSet.remove(FileSet.missing))"
            )
        planner = _Planner(root)
        targets: dict[FileInstance, list[str]] = {}
        for inst in dangling:
            parts = inst.file_id
            if parts:
                planner.claim(parts)
                targets[inst] = parts
        descriptor: str | None = None  # the File-set descriptor file travels with a copy
        if self._descriptor_id:
            planner.claim(self._descriptor_id)
            if not in_place and self._root_path is not None:
                source = os.path.join(self._root_path, *self._descriptor_id)
                descriptor = source if os.path.isfile(source) else None
        fresh: list[FileInstance] = []
        for inst in instances:
            parts = inst.file_id
            keep = (
                parts is not None
                and not restructure
                and not inst._staged
                and is_conformant_file_id(parts)
                and (
                    (
                        in_place
                        and os.path.normcase(inst.path)
                        == os.path.normcase(os.path.join(root, *parts))
                    )
                    or (not in_place and planner.is_free(parts))
                )
            )
            if keep:
                assert parts is not None
                planner.claim(parts)
                targets[inst] = parts
            else:
                fresh.append(inst)
        planner.learn_dirs(targets)
        for inst in fresh:
            targets[inst] = planner.new_file_id(inst.node)

        created: list[str] = []
        dirs_made: list[str] = []
        paths: dict[FileInstance, str] = {}
        obsolete: list[str] = []
        try:
            for inst in instances:
                parts = targets[inst]
                dst = os.path.join(root, *parts)
                paths[inst] = dst
                if (
                    in_place
                    and not inst._staged
                    and os.path.normcase(inst.path) == os.path.normcase(dst)
                ):
                    continue
                dirs_made.extend(_makedirs(os.path.dirname(dst)))
                _place_file(inst.path, dst, link=in_place and not inst._staged)
                created.append(dst)
                if in_place and not inst._staged:
                    obsolete.append(inst.path)
            if descriptor is not None and self._descriptor_id:
                dst = os.path.join(root, *self._descriptor_id)
                if not os.path.exists(dst):
                    dirs_made.extend(_makedirs(os.path.dirname(dst)))
                    _place_file(descriptor, dst, link=False)
                    created.append(dst)
            data, records = self._encode_dicomdir(targets)
            _atomic_write(dicomdir, data)
        except BaseException as exc:
            for path in reversed(created):
                _unlink_quietly(path)
            _remove_empty_dirs(dirs_made)
            if isinstance(exc, OSError) and not isinstance(exc, DicodecError):
                raise WriteError(f"the File-set could not be written to {root}: {exc}") from exc
            raise
        return _WriteResult(paths, records, obsolete)

    def _encode_dicomdir(
        self, targets: dict[FileInstance, list[str]]
    ) -> tuple[bytes, dict[RecordNode, tuple[int, Dataset]]]:
        """The DICOMDIR bytes, and each node's new offset and record."""
        from .filewriter import write_dataset, write_file_meta_info
        from .uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

        nodes = list(self._tree.walk())
        copies: dict[RecordNode, Dataset] = {}
        for node in nodes:
            assert node.record is not None
            record = _copy.copy(node.record)
            for tag in [t for t in record.keys() if t & 0xFFFF == 0]:
                del record[tag]  # group lengths are not written
            record[_NEXT] = DataElement(_NEXT, "UL", 0, validate=False)
            record[_IN_USE] = DataElement(_IN_USE, "US", 0xFFFF, validate=False)
            record[_LOWER] = DataElement(_LOWER, "UL", 0, validate=False)
            record[_TYPE] = DataElement(_TYPE, "CS", node.record_type, validate=False)
            inst = node.instance
            if inst is not None and inst in targets:
                parts = targets[inst]
                record[_FILE_ID] = DataElement(
                    _FILE_ID, "CS", parts if len(parts) > 1 else parts[0]
                )
            copies[node] = record

        meta = FileMetaDataset()
        meta.add_new(0x00020001, "OB", b"\x00\x01")
        meta.add_new(0x00020002, "UI", MEDIA_STORAGE_DIRECTORY_STORAGE)
        meta.add_new(0x00020003, "UI", self.UID)
        meta.add_new(0x00020010, "UI", _EXPLICIT_VR_LE)
        meta.add_new(0x00020012, "UI", str(IMPLEMENTATION_CLASS_UID))
        meta.add_new(0x00020013, "SH", IMPLEMENTATION_VERSION_NAME)
        head = io.BytesIO()
        head.write(b"\x00" * 128 + b"DICM")
        write_file_meta_info(head, meta, enforce_standard=True)

        def top(first: int, last: int) -> bytes:
            ds = Dataset()
            ds.add_new(_FILE_SET_ID, "CS", self._id or "")
            if self._descriptor_id:
                ids = self._descriptor_id
                ds.add_new(_DESCRIPTOR_ID, "CS", ids if len(ids) > 1 else ids[0])
                if self._descriptor_charset:
                    ds.add_new(_DESCRIPTOR_CHARSET, "CS", self._descriptor_charset)
            ds.add_new(_FIRST, "UL", first)
            ds.add_new(_LAST, "UL", last)
            ds.add_new(_CONSISTENCY, "US", 0)
            buf = io.BytesIO()
            write_dataset(buf, ds, False, True)
            return buf.getvalue()

        def encode(record: Dataset) -> bytes:
            buf = io.BytesIO()
            write_dataset(buf, record, False, True)
            return buf.getvalue()

        # pass 1: sizes with zero offsets (the offset elements have a fixed size)
        prefix_length = len(head.getvalue()) + len(top(0, 0)) + 12
        bodies = [encode(copies[node]) for node in nodes]
        offsets: dict[RecordNode, int] = {}
        position = prefix_length
        for node, body in zip(nodes, bodies, strict=True):
            offsets[node] = position
            position += 8 + len(body)
        # pass 2: the real offsets, patched into the encoded records where they sit at
        # their usual place (the first elements), re-encoded otherwise
        for parent in [self._tree, *nodes]:
            kids = parent.children
            for i, node in enumerate(kids):
                record = copies[node]
                following = offsets[kids[i + 1]] if i + 1 < len(kids) else 0
                record[_NEXT] = DataElement(_NEXT, "UL", following, validate=False)
                lower = offsets[node.children[0]] if node.children else 0
                record[_LOWER] = DataElement(_LOWER, "UL", lower, validate=False)
        roots = self._tree.children
        out = io.BytesIO()
        out.write(head.getvalue())
        out.write(top(offsets[roots[0]] if roots else 0, offsets[roots[-1]] if roots else 0))
        items = io.BytesIO()
        for node, body in zip(nodes, bodies, strict=True):
            record = copies[node]
            if body[:8] == _NEXT_HEADER and body[22:30] == _LOWER_HEADER:
                final = bytearray(body)
                struct.pack_into("<L", final, 8, record[_NEXT].value)
                struct.pack_into("<L", final, 30, record[_LOWER].value)
            else:  # pragma: no cover - a record with elements below (0004,1400)
                final = bytearray(encode(record))
            if len(final) != len(body):  # pragma: no cover - offsets are fixed-size UL values
                raise WriteError(f"the {node.record_type} record changed size between passes")
            if out.tell() + 12 + items.tell() != offsets[node]:  # pragma: no cover
                raise WriteError("directory record offsets are inconsistent")
            items.write(struct.pack("<HHL", 0xFFFE, 0xE000, len(final)))
            items.write(final)
        out.write(struct.pack("<HH2s2xL", 0x0004, 0x1220, b"SQ", items.tell()))
        out.write(items.getvalue())
        return out.getvalue(), {node: (offsets[node], copies[node]) for node in nodes}


class _WriteResult:
    def __init__(
        self,
        paths: dict[FileInstance, str],
        records: dict[RecordNode, tuple[int, Dataset]],
        obsolete: list[str],
    ) -> None:
        self.paths = paths
        self.records = records
        self.obsolete = obsolete


def _record_line(node: RecordNode) -> str:
    record = node.record
    assert record is not None
    rt = node.record_type

    def show(keyword: str, quoted: bool = False) -> str | None:
        if keyword not in record:
            return None
        value = record.get(keyword)
        if _is_empty(value):
            return None
        return f"{keyword}={str(value)!r}" if quoted else f"{keyword}={value}"

    if rt == "PATIENT":
        parts = [show("PatientID", True), show("PatientName", True)]
    elif rt == "STUDY":
        parts = [show("StudyDate"), show("StudyDescription", True)]
    elif rt == "SERIES":
        parts = [show("Modality"), show("SeriesNumber")]
    else:
        parts = [show("InstanceNumber"), show("ContentLabel", True)]
        if _REF_SOP_CLASS in record:
            from .uid import UID

            parts.append(UID(str(record[_REF_SOP_CLASS].value)).name)
        inst = node.instance
        if inst is not None:
            if inst._staged:
                parts.append("(staged for addition)")
            else:
                parts.append(f"{inst.FileID} [missing]" if inst._missing else inst.FileID)
    text = ", ".join(p for p in parts if p)
    return f"{rt}: {text}" if text else rt


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ----------------------------------------------------------- search helpers
def _tag_for(key: str | int) -> int:
    if isinstance(key, int):
        return key
    from .datadict import tag_for_keyword

    tag = tag_for_keyword(key)
    if tag is None:
        raise ValueError(f"{key!r} is not a DICOM element keyword")
    return tag


def _matches(actual: Any, wanted: Any) -> bool:
    if callable(wanted):
        try:
            return bool(wanted(actual))
        except Exception:
            return False
    if actual == wanted:
        return True
    if isinstance(wanted, str) and not isinstance(actual, (list, tuple)) and actual is not None:
        return str(actual).strip() == wanted.strip()
    return False


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, tuple)):
        return len(value) == 0
    return str(value) == ""


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    if type(value).__name__ == "PersonName":
        return str(value)
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (1, float(value))
    if isinstance(value, (int, float)):
        return (1, float(value))
    if isinstance(value, (list, tuple)):
        return (3, tuple(str(v) for v in value))
    if isinstance(value, (str, bytes)) or type(value).__name__ == "PersonName":
        return (2, str(value))
    return (4, repr(value))


# ---------------------------------------------------------- record building
def _make_record(ds: Dataset, record_type: str) -> Dataset:
    """A new directory record of ``record_type`` for the instance ``ds``.

    Elements are shared with ``ds`` where that is safe (raw elements are immutable) and
    copied otherwise, so later changes to ``ds`` do not leak into the record.
    """
    from .datadict import dictionary_VR, tag_for_keyword

    record = Dataset()
    record[_NEXT] = DataElement(_NEXT, "UL", 0, validate=False)
    record[_IN_USE] = DataElement(_IN_USE, "US", 0xFFFF, validate=False)
    record[_LOWER] = DataElement(_LOWER, "UL", 0, validate=False)
    record[_TYPE] = DataElement(_TYPE, "CS", record_type, validate=False)
    charset = ds.get_item(0x00080005)
    if charset is not None:
        record[0x00080005] = _clone(charset)
    lacking = []
    for keyword, kind in _RECORD_ATTRIBUTES.get(record_type, _DEFAULT_ATTRIBUTES):
        tag = tag_for_keyword(keyword)
        assert tag is not None, keyword
        stored = ds.get_item(tag)
        if stored is not None:
            if kind == "1" and _stored_is_empty(stored):
                lacking.append(keyword)
            record[tag] = _clone(stored)
        elif kind in ("1", "2"):
            if kind == "1":
                lacking.append(keyword)
            record[tag] = DataElement(tag, dictionary_VR(tag), None, validate=False)
    if lacking:
        _warn(
            f"the {record_type} record lacks values for {', '.join(lacking)} (Type 1 in PS3.3 F.5): "
            "they are written empty"
        )
    return record


def _clone(stored: Any) -> Any:
    """A copy of a stored element that shares nothing mutable with the original."""
    if not isinstance(stored, DataElement):
        return stored  # a RawDataElement: an immutable tuple of bytes
    if stored.VR == "SQ":
        return _copy.deepcopy(stored)
    value = stored.value
    if isinstance(value, list):
        value = _copy.copy(value)
    return DataElement(stored.tag, stored.VR, value, validate=False)


def _stored_is_empty(stored: Any) -> bool:
    if isinstance(stored, DataElement):
        return _is_empty(stored.value)
    value = stored.value
    return value is not None and not bytes(value).strip(b" \x00")


def _instance_key(ds: Dataset, record_type: str) -> str:
    """The value identifying the instance's PATIENT / STUDY / SERIES record."""
    keyword = _KEY_KEYWORD[record_type]
    value = ds.get(keyword)
    if _is_empty(value) or not str(value).strip():
        raise FileSetError(
            f"the instance has no {keyword}, which identifies its {record_type} record"
        )
    return str(value).strip()


def _write_part10(ds: Dataset, path: str) -> None:
    """Write ``ds`` as a conformant Part 10 file (Explicit VR LE if its encoding is unknown)."""
    from .filewriter import dcmwrite

    meta = ds.__dict__.get("file_meta")
    kwargs: dict[str, Any] = {}
    if not (meta is not None and meta.get("TransferSyntaxUID")):
        implicit, little = ds.original_encoding
        if implicit is None or little is None:
            kwargs = {"implicit_vr": False, "little_endian": True}
    dcmwrite(path, ds, enforce_file_format=True, **kwargs)


# --------------------------------------------------------------- file layout
class _Planner:
    """Chooses new File IDs: fresh names that collide with nothing on disk or already planned.

    A record's new files go to the folder its kept files share (cut to the record's
    depth), so an image added to an existing series lands next to its siblings;
    records without kept files get a fresh folder under their parent's.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.files: set[tuple[str, ...]] = set()  # planned file paths, upper-cased
        self.dirs: set[tuple[str, ...]] = set()  # planned folder paths, upper-cased
        self.listings: dict[tuple[str, ...], set[str]] = {}
        self.counters: dict[tuple[tuple[str, ...], str], int] = {}
        self.node_dirs: dict[RecordNode, tuple[str, ...]] = {}

    def _listing(self, folder: tuple[str, ...]) -> set[str]:
        key = tuple(p.upper() for p in folder)
        names = self.listings.get(key)
        if names is None:
            try:
                names = {n.upper() for n in os.listdir(os.path.join(self.root, *folder))}
            except OSError:
                names = set()
            self.listings[key] = names
        return names

    def _taken(self, folder: tuple[str, ...], name: str) -> bool:
        key = tuple(p.upper() for p in (*folder, name))
        return key in self.files or key in self.dirs or name.upper() in self._listing(folder)

    def is_free(self, parts: list[str]) -> bool:
        """Whether a kept File ID can be used as is (nothing there on disk or planned)."""
        key = tuple(p.upper() for p in parts)
        if any(key[:depth] in self.files for depth in range(1, len(key))):
            return False
        return not self._taken(tuple(parts[:-1]), parts[-1])

    def claim(self, parts: list[str]) -> None:
        key = tuple(p.upper() for p in parts)
        self.files.add(key)
        for depth in range(1, len(key)):
            self.dirs.add(key[:depth])

    def learn_dirs(self, kept: dict[FileInstance, list[str]]) -> None:
        shared: dict[RecordNode, tuple[str, ...]] = {}
        for inst, parts in kept.items():
            folder = tuple(parts[:-1])
            node = inst.node.parent
            while node is not None and not node.is_root:
                current = shared.get(node)
                if current is None:
                    shared[node] = folder
                else:
                    common = 0
                    while (
                        common < min(len(current), len(folder))
                        and current[common] == folder[common]
                    ):
                        common += 1
                    shared[node] = current[:common]
                node = node.parent
        for node, folder in shared.items():
            self.node_dirs[node] = folder[: node.depth]

    def _fresh(self, folder: tuple[str, ...], prefix: str, as_dir: bool) -> str:
        width = 8 - len(prefix)
        n = self.counters.get((folder, prefix), 0)
        while True:
            name = prefix + _counter(n, width)
            n += 1
            if not self._taken(folder, name):
                break
        self.counters[(folder, prefix)] = n
        key = tuple(p.upper() for p in (*folder, name))
        (self.dirs if as_dir else self.files).add(key)
        return name

    def dir_for(self, node: RecordNode) -> tuple[str, ...]:
        chain = []
        current: RecordNode | None = node
        while current is not None and not current.is_root and current not in self.node_dirs:
            chain.append(current)
            current = current.parent
        folder = (
            self.node_dirs[current] if current is not None and current in self.node_dirs else ()
        )
        for item in reversed(chain):
            if len(folder) < 7:  # a File ID has at most 8 components
                folder = (
                    *folder,
                    self._fresh(folder, _PREFIX.get(item.record_type, "DR"), as_dir=True),
                )
            self.node_dirs[item] = folder
        return folder

    def new_file_id(self, leaf: RecordNode) -> list[str]:
        folder = self.dir_for(leaf.parent) if leaf.parent is not None else ()
        prefix = (
            _PREFIX.get(leaf.record_type) or re.sub(r"[^A-Z]", "", leaf.record_type)[:2] or "IN"
        )
        return [*folder, self._fresh(folder, prefix, as_dir=False)]


def _counter(n: int, width: int) -> str:
    if n < 10**width:
        return f"{n:0{width}d}"
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while n:
        n, r = divmod(n, 36)
        text = digits[r] + text
    if len(text) > width:
        raise FileSetError("too many files in one folder for 8-character File IDs")
    return text.rjust(width, "0")


def _makedirs(folder: str) -> list[str]:
    """Create ``folder`` and its missing parents; return those created, outermost first."""
    missing = []
    current = folder
    while current and not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    made: list[str] = []
    try:
        for path in reversed(missing):
            os.mkdir(path)
            made.append(path)
    except BaseException:
        _remove_empty_dirs(made)
        raise
    return made


def _remove_empty_dirs(made: list[str]) -> None:
    """Remove folders :func:`_makedirs` created (outermost first), innermost first."""
    for folder in reversed(made):
        try:
            os.rmdir(folder)
        except OSError:
            pass


def _place_file(src: str, dst: str, link: bool) -> None:
    """Put a copy (or a hard link) of ``src`` at ``dst`` through a temporary name."""
    folder = os.path.dirname(dst)
    fd, tmp = tempfile.mkstemp(prefix=".dicodec-", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        linked = False
        if link:
            try:
                os.unlink(tmp)
                os.link(src, tmp)
                linked = True
            except OSError:
                linked = False
        if not linked:
            shutil.copyfile(src, tmp)
            try:
                mode = stat.S_IMODE(os.stat(src).st_mode)
                os.chmod(tmp, mode | stat.S_IWUSR)
            except OSError:
                pass
        os.replace(tmp, dst)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _atomic_write(path: str, data: bytes) -> None:
    """Write ``path`` through a synced temporary file renamed into place (the DICOMDIR)."""
    from .filewriter import _write_atomically

    _write_atomically(path, data, durable=True)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        _warn(f"could not delete {path}: {exc}")


def _prune_dirs(folder: str, root: str) -> None:
    """Remove ``folder`` and its parents while empty, stopping at ``root``."""
    root = os.path.normcase(os.path.abspath(root))
    current = os.path.abspath(folder)
    while os.path.normcase(current) != root and os.path.normcase(current).startswith(root):
        try:
            os.rmdir(current)
        except OSError:
            return
        current = os.path.dirname(current)
