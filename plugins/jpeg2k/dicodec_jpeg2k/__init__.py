"""dicodec-jpeg2k: JPEG 2000 and HTJ2K codecs for dicodec.

Importing this package is cheap: imagecodecs and pylibjpeg-openjpeg are imported
only by :mod:`dicodec_jpeg2k.imagecodecs_backend` and
:mod:`dicodec_jpeg2k.openjpeg_backend`, which dicodec loads on first use through
the lazy references declared in :mod:`dicodec_jpeg2k.plugin`.
:mod:`dicodec_jpeg2k.codestream` reads a codestream's main header (SIZ, COD,
CAP, TLM) without any codec library.

Examples
--------
>>> import dicodec_jpeg2k
>>> dicodec_jpeg2k.__version__
'0.1.0'
"""

__version__ = "0.1.0"
