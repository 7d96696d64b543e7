"""Repository-wide pytest configuration.

Docstring examples run for every module (``--doctest-modules``). A backend module
that wraps an optional library (``pylibjpeg-libjpeg`` is GPL-3 and opt-in; the
pylibjpeg-openjpeg and pylibjpeg-rle fallbacks are optional extras) cannot be
imported without it, so it is left out of collection when the library is absent;
the plugin tests that need such a library skip themselves.
"""

from __future__ import annotations

import importlib.util

_OPTIONAL_BACKENDS = {
    "libjpeg": ["plugins/jpeg/dicodec_jpeg/libjpeg.py", "plugins/jpegls/dicodec_jpegls/libjpeg_backend.py"],
    "openjpeg": ["plugins/jpeg2k/dicodec_jpeg2k/openjpeg_backend.py"],
    "rle": ["plugins/rle/dicodec_rle/pylibjpeg.py"],
    "gdcm": ["contrib/gdcm/dicodec_gdcm/_worker.py"],
}

collect_ignore = [
    path
    for module, paths in _OPTIONAL_BACKENDS.items()
    if importlib.util.find_spec(module) is None
    for path in paths
]
