"""dicodec-example-xor: an example third-party dicodec plugin.

The package is split the way a real codec plugin should be:

:mod:`dicodec_example_xor.plugin`
    What dicodec imports when it discovers the plugin through the entry point:
    declarations only (the hook API version, a transfer syntax record and a codec
    record). It imports neither numpy nor the codec module.
:mod:`dicodec_example_xor.codec`
    The frame functions. dicodec imports this module the first time a frame
    actually has to be decoded or encoded, through the lazy
    ``"dicodec_example_xor.codec:decode"`` references the plugin declares.

The "compression" is a byte-wise XOR with :data:`~dicodec_example_xor.plugin.XOR_KEY`,
so it is lossless, trivially checkable and useless for anything but teaching.

Examples
--------
>>> import dicodec_example_xor
>>> dicodec_example_xor.__version__
'0.1.0'
"""

__version__ = "0.1.0"
