"""dicodec-pylibjpeg: every installed pylibjpeg plugin, seen by dicodec as a codec.

Importing this package imports nothing heavy; :mod:`dicodec_pylibjpeg.plugin`
reads pylibjpeg's entry points from package metadata and
:mod:`dicodec_pylibjpeg.bridge` (numpy) adapts the calls, loaded on first use.
"""

__version__ = "0.1.0"
