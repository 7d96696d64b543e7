"""dicodec-native: codecs for native (uncompressed) and deflated pixel data.

Importing this package is cheap: numpy is imported only by the codec modules
:mod:`dicodec_native.native` and :mod:`dicodec_native.deflate`, which dicodec
loads on first use through the lazy references declared in
:mod:`dicodec_native.plugin`.

Examples
--------
>>> import dicodec_native
>>> dicodec_native.__version__
'0.1.0'
"""

__version__ = "0.1.0"
