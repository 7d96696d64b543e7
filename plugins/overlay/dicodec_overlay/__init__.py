"""dicodec-overlay: Overlay Plane and Multi-frame Overlay data (60xx) as numpy arrays.

``Dataset.overlay_array(group)`` uses this plugin through the ``overlay`` bulk-data
handler it declares; the functions are in :mod:`dicodec_overlay.handler`.
Importing this package is cheap: numpy is imported by the handler on first use.

Examples
--------
>>> import dicodec_overlay
>>> dicodec_overlay.__version__
'0.1.0'
"""

__version__ = "0.1.0"
