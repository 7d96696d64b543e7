"""dicodec: read, write and transcode DICOM data sets and their pixel data.

Codecs live in plugin distributions found through the ``dicodec.plugins`` entry
point group. ``import dicodec`` is cheap: it imports neither numpy nor any plugin;
the names below are loaded on first use.

Examples
--------
>>> import dicodec
>>> ds = dicodec.Dataset(PatientName="Doe^Jane")
>>> str(ds.PatientName)
'Doe^Jane'
"""

from __future__ import annotations

import importlib

from .errors import (
    CodecError,
    DicodecError,
    DicodecWarning,
    InvalidDicomError,
    InvalidValueError,
    LimitExceeded,
    NoCodecAvailableError,
    PluginError,
    UnsupportedTransferSyntaxError,
    WriteError,
)

__version__ = "0.1.0"

TYPE_CHECKING = False  # not imported from typing: `import dicodec` stays cheap

_LAZY: dict[str, tuple[str, str | None]] = {
    "dcmread": ("dicodec.filereader", "dcmread"),
    "read_file_meta_info": ("dicodec.filereader", "read_file_meta_info"),
    "dcmwrite": ("dicodec.filewriter", "dcmwrite"),
    "Dataset": ("dicodec.dataset", "Dataset"),
    "FileDataset": ("dicodec.dataset", "FileDataset"),
    "FileMetaDataset": ("dicodec.dataset", "FileMetaDataset"),
    "DataElement": ("dicodec.dataelem", "DataElement"),
    "RawDataElement": ("dicodec.dataelem", "RawDataElement"),
    "Sequence": ("dicodec.sequence", "Sequence"),
    "Tag": ("dicodec.tag", "Tag"),
    "UID": ("dicodec.uid", "UID"),
    "generate_uid": ("dicodec.uid", "generate_uid"),
    "config": ("dicodec.config", None),
    "datadict": ("dicodec.datadict", None),
    "uid": ("dicodec.uid", None),
    "tag": ("dicodec.tag", None),
    "charset": ("dicodec.charset", None),
    "valuerep": ("dicodec.valuerep", None),
    "jsonrep": ("dicodec.jsonrep", None),
    "encaps": ("dicodec.encaps", None),
    "fileset": ("dicodec.fileset", None),
    "framereader": ("dicodec.framereader", None),
    "FileSet": ("dicodec.fileset", "FileSet"),
    "FrameReader": ("dicodec.framereader", "FrameReader"),
    "pixels": ("dicodec.pixels", None),
    "plugins": ("dicodec.plugins", None),
    "examples": ("dicodec.examples", None),
    "cli": ("dicodec.cli", None),
}

__all__ = [
    "UID",
    "CodecError",
    "DataElement",
    "Dataset",
    "DicodecError",
    "DicodecWarning",
    "FileDataset",
    "FileMetaDataset",
    "InvalidDicomError",
    "InvalidValueError",
    "LimitExceeded",
    "NoCodecAvailableError",
    "PluginError",
    "Sequence",
    "Tag",
    "UnsupportedTransferSyntaxError",
    "WriteError",
    "dcmread",
    "dcmwrite",
    "generate_uid",
]


def __getattr__(name: str) -> object:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dicodec' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover
    from . import charset as charset
    from . import config as config
    from . import datadict as datadict
    from . import tag as tag
    from . import uid as uid
    from . import valuerep as valuerep
    from .dataelem import DataElement
    from .dataelem import RawDataElement as RawDataElement
    from .dataset import Dataset, FileDataset, FileMetaDataset
    from .filereader import dcmread
    from .filereader import read_file_meta_info as read_file_meta_info
    from .filewriter import dcmwrite
    from .sequence import Sequence
    from .tag import Tag
    from .uid import UID, generate_uid
