"""The value of an ``SQ`` element: a list of :class:`~dicodec.dataset.Dataset` items.

Examples
--------
>>> from dicodec import Dataset
>>> from dicodec.sequence import Sequence
>>> item = Dataset()
>>> item.ReferencedSOPInstanceUID = "1.2.3"
>>> seq = Sequence([item])
>>> len(seq)
1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, SupportsIndex

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset

__all__ = ["Sequence"]


def _check(item: Any) -> Dataset:
    from .dataset import Dataset

    if not isinstance(item, Dataset):
        raise TypeError(f"a Sequence holds Dataset items, not {type(item).__name__}")
    return item


class Sequence(list):
    """A list of data set items that accepts only :class:`~dicodec.dataset.Dataset`.

    Parameters
    ----------
    iterable : iterable of Dataset, optional
        The items.
    """

    def __init__(self, iterable: Iterable[Dataset] | None = None) -> None:
        if iterable is None:
            super().__init__()
        else:
            if isinstance(iterable, (str, bytes)):
                raise TypeError("a Sequence is built from Dataset items, not a string")
            super().__init__(_check(i) for i in iterable)

    def append(self, item: Dataset) -> None:
        """Add one item at the end."""
        super().append(_check(item))

    def extend(self, items: Iterable[Dataset]) -> None:
        """Add several items at the end."""
        super().extend(_check(i) for i in items)

    def insert(self, index: SupportsIndex, item: Dataset) -> None:
        """Insert one item before ``index``."""
        super().insert(index, _check(item))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, [_check(v) for v in value])
        else:
            super().__setitem__(index, _check(value))

    def __iadd__(self, other: Iterable[Dataset]) -> Sequence:  # type: ignore[override,misc]
        self.extend(other)
        return self

    def __str__(self) -> str:
        return "[" + "".join(f"\n{item!s}" for item in self) + "]"

    def __repr__(self) -> str:
        return f"<Sequence, length {len(self)}>"
