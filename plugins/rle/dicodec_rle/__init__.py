"""dicodec-rle: RLE Lossless (1.2.840.10008.1.2.5) for dicodec, in C.

The plugin (:mod:`dicodec_rle.plugin`) is found through the ``dicodec.plugins``
entry point; importing this package imports nothing heavy. The codec itself is
:mod:`dicodec_rle.codec`.
"""

__version__ = "0.1.0"
