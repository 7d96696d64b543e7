"""dicodec-gdcm: GDCM (python-gdcm) as a low-priority fallback codec for dicodec.

Importing this package imports nothing heavy; :mod:`dicodec_gdcm.plugin` holds the
declarations and :mod:`dicodec_gdcm.codec` (which imports ``gdcm``) the frame
functions, loaded on first use.
"""

__version__ = "0.1.0"
