"""dicodec-waveform: Waveform (5400,0100) multiplex groups as numpy arrays.

``Dataset.waveform_array(index)`` uses this plugin through the ``waveform``
bulk-data handler it declares; the functions are in
:mod:`dicodec_waveform.handler`. Importing this package is cheap: numpy is
imported by the handler on first use.

Examples
--------
>>> import dicodec_waveform
>>> dicodec_waveform.__version__
'0.1.0'
"""

__version__ = "0.1.0"
