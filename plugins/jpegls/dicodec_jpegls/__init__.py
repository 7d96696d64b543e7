"""dicodec-jpegls: JPEG-LS Lossless and Near-Lossless pixel data for dicodec.

Importing this package is cheap: the backends (imagecodecs, pyjpegls,
pylibjpeg-libjpeg) and numpy are imported only by the codec modules, which
dicodec loads on first use through the lazy references declared in
:mod:`dicodec_jpegls.plugin`.

Examples
--------
>>> import dicodec_jpegls
>>> dicodec_jpegls.__version__
'0.1.0'
"""

__version__ = "0.1.0"
