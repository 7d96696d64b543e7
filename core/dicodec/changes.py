"""A process-wide count of data set changes, so caches can tell cheaply that nothing changed.

Every change made through the public API of :class:`~dicodec.dataset.Dataset` and
:class:`~dicodec.dataelem.DataElement` (setting, adding or deleting an element, assigning
a value or a VR, replacing ``file_meta``) calls :func:`changed`, and so does every change
of the codecs on offer (registering, unregistering, blocking a plugin) or of the codec
preferences (:func:`dicodec.config.set_preference`, ``reload_preferences``); ``prefer()``
blocks are per thread, so caches check those themselves. A cache records
:func:`generation` when it is filled; while the number is the same, nothing has been
changed anywhere and the cache is valid without looking at a single value. When the
number moved, the cache compares the values it depends on, so an unrelated change
costs one comparison and never a rebuild.

Numbers come from one :func:`itertools.count`, so every change gets a number no
earlier call has seen, even when threads race: a cache can never see its own number
again after a change.

Examples
--------
>>> from dicodec import Dataset, changes
>>> ds = Dataset(Rows=1)
>>> before = changes.generation()
>>> ds.Rows = 2
>>> changes.generation() != before
True
"""

from __future__ import annotations

import itertools

__all__ = ["changed", "generation"]

_numbers = itertools.count(1)
_current = 0


def changed() -> None:
    """Record that some data set or element changed."""
    global _current
    _current = next(_numbers)


def generation() -> int:
    """The number of the latest change (0 before any)."""
    return _current
