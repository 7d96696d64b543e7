"""dicodec-jpeg: JPEG Baseline, Extended and Lossless codecs for dicodec.

Importing this package is cheap: the codec libraries (imagecodecs,
pylibjpeg-libjpeg) and numpy are imported only by the codec modules
:mod:`dicodec_jpeg.turbo` and :mod:`dicodec_jpeg.libjpeg`, which dicodec loads on
first use through the lazy references declared in :mod:`dicodec_jpeg.plugin`.

Examples
--------
>>> import dicodec_jpeg
>>> dicodec_jpeg.__version__
'0.1.0'
"""

__version__ = "0.1.0"
