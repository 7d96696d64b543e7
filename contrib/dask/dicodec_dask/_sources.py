"""Where files are: local paths, fsspec URLs and fsspec ``OpenFile`` objects.

A *source* is what a task receives: an absolute local path (``str``), a URL string
that fsspec understands (``"s3://bucket/a.dcm"``, ``"memory://x.dcm"``) or an
:class:`fsspec.core.OpenFile`. ``file://`` URLs become local paths, so local files are
always read with positioned reads (``os.pread``) rather than through a file object.
Everything here is picklable and imports fsspec only when a URL is met.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

Source = Any  # str (absolute path or URL) | fsspec.core.OpenFile

_GLOB_CHARS = frozenset("*?[")

# Filesystems on which one write of the whole object is atomic: no temporary name needed.
_ATOMIC_PUT = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "memory", "oci", "oss"})


def is_url(text: str) -> bool:
    """Whether ``text`` names a protocol (``"s3://..."``), as opposed to a local path.

    Examples
    --------
    >>> is_url("s3://bucket/a.dcm"), is_url("/data/a.dcm"), is_url("C:/data/a.dcm")
    (True, False, False)
    """
    head, sep, _ = text.partition("://")
    return bool(sep) and len(head) > 1 and head.replace("+", "").replace("-", "").replace(".", "").isalnum()


def local_or_url(text: str, storage_options: Mapping[str, Any] | None) -> str:
    """An absolute local path for local files (``file://`` included), the URL otherwise."""
    if not is_url(text):
        return os.path.abspath(os.path.expanduser(text))
    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    if text.startswith(("file://", "local://")):
        fs, path = url_to_fs(text, **dict(storage_options or {}))
        if isinstance(fs, LocalFileSystem):
            return os.path.abspath(path)
    return text


def expand(paths_or_urls: Any, storage_options: Mapping[str, Any] | None = None) -> list[Source]:
    """The list of sources named by ``paths_or_urls``, in order.

    Parameters
    ----------
    paths_or_urls : str, PathLike, OpenFile or an iterable of them
        A single string with ``*``, ``?`` or ``[`` is a glob pattern (local or fsspec),
        expanded in sorted order.
    storage_options : dict, optional
        fsspec options for URLs (credentials, endpoint, ...).

    Raises
    ------
    FileNotFoundError
        A glob pattern matched nothing.
    TypeError
        An item is neither a path, a URL nor an fsspec OpenFile.

    Examples
    --------
    >>> expand(["/data/b.dcm", "file:///data/a.dcm"])
    ['/data/b.dcm', '/data/a.dcm']
    """
    if isinstance(paths_or_urls, (str, os.PathLike)) or _is_open_file(paths_or_urls):
        items: Iterable[Any] = [paths_or_urls]
        single = True
    else:
        items = paths_or_urls
        single = False
    out: list[Source] = []
    for item in items:
        if _is_open_file(item):
            out.append(item)
            continue
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"expected a path, a URL or an fsspec OpenFile, not {type(item).__name__}: {item!r}")
        text = os.fspath(item)
        if single and _GLOB_CHARS & set(text):
            out.extend(_glob(text, storage_options))
        else:
            out.append(local_or_url(text, storage_options))
    return out


def _glob(pattern: str, storage_options: Mapping[str, Any] | None) -> list[str]:
    if is_url(pattern) and not pattern.startswith(("file://", "local://")):
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(pattern, **dict(storage_options or {}))
        found = [fs.unstrip_protocol(p) for p in sorted(fs.glob(path))]
    else:
        local = local_or_url(pattern, storage_options)
        found = sorted(p for p in glob.glob(local) if os.path.isfile(p))
    if not found:
        raise FileNotFoundError(f"no file matches {pattern!r}")
    return found


def _is_open_file(obj: Any) -> bool:
    cls = type(obj)
    return cls.__name__ == "OpenFile" and cls.__module__.startswith("fsspec")


def name_of(src: Source) -> str:
    """A readable name for messages: the path or URL.

    Examples
    --------
    >>> name_of("/data/a.dcm")
    '/data/a.dcm'
    """
    if _is_open_file(src):
        return str(src.full_name)
    return str(src)


def basename(src: Source) -> str:
    """The last component of the path or URL.

    Examples
    --------
    >>> basename("s3://bucket/series/a.dcm"), basename("/data/b.dcm")
    ('a.dcm', 'b.dcm')
    """
    text = name_of(src).rstrip("/")
    if is_url(text):
        text = text.partition("://")[2]
        return text.rsplit("/", 1)[-1].split("?", 1)[0]
    return os.path.basename(text)


@contextlib.contextmanager
def opened(src: Source, storage_options: Mapping[str, Any] | None) -> Iterator[str | BinaryIO]:
    """A local path as is, or a seekable binary file object for a URL / OpenFile."""
    if _is_open_file(src):
        with src as fh:
            yield fh
    elif is_url(src):
        import fsspec

        with fsspec.open(src, "rb", **dict(storage_options or {})) as fh:
            yield fh
    else:
        yield src


def wrap_error(exc: BaseException, src: Source) -> BaseException:
    """``exc`` with the file's name in front of its message, same class when possible."""
    name = name_of(src)
    text = str(exc)
    if name in text:
        return exc
    try:
        new = type(exc)(f"{name}: {text}" if text else f"{name}: {type(exc).__name__}")
    except Exception:  # a constructor with other arguments: keep the original
        return exc
    new.__cause__ = exc
    return new


# ------------------------------------------------------------------ outputs


def target_for(src: Source, out_dir: str, root: str | None) -> str:
    """Where ``src`` is written in ``out_dir``: its base name, or its path below ``root``."""
    if root is None:
        rel = basename(src)
    else:
        name = name_of(src)
        root_text = root if is_url(root) else os.path.abspath(root)
        if is_url(name) != is_url(root_text):
            raise ValueError(f"{name} is not below root={root!r}")
        if is_url(name):
            prefix = root_text.rstrip("/") + "/"
            if not name.startswith(prefix):
                raise ValueError(f"{name} is not below root={root!r}")
            rel = name[len(prefix) :]
        else:
            rel = os.path.relpath(name, root_text)
            if rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
                raise ValueError(f"{name} is not below root={root!r}")
    if is_url(out_dir):
        return out_dir.rstrip("/") + "/" + rel.replace(os.sep, "/")
    return os.path.join(out_dir, rel)


def exists(target: str, storage_options: Mapping[str, Any] | None) -> bool:
    """Whether ``target`` (a local path or URL) exists."""
    if not is_url(target):
        return os.path.exists(target)
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(target, **dict(storage_options or {}))
    return bool(fs.exists(path))


def make_dirs(folder: str, storage_options: Mapping[str, Any] | None) -> None:
    """Create ``folder`` (local path or URL) and its parents if missing."""
    if not is_url(folder):
        os.makedirs(folder, exist_ok=True)
        return
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(folder, **dict(storage_options or {}))
    fs.makedirs(path, exist_ok=True)


def write_dataset(ds: Any, target: str, storage_options: Mapping[str, Any] | None) -> None:
    """Write ``ds`` as a Part 10 file so that ``target`` is either absent, old, or complete.

    A local path goes through dicodec's own temporary-file-and-rename. On an object
    store one PUT of the whole file is atomic; on other fsspec file systems the bytes
    go to a temporary name first and are then moved into place.
    """
    if not is_url(target):
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        ds.save_as(target, enforce_file_format=True)
        return
    import io
    import uuid

    from fsspec.core import url_to_fs

    from dicodec.errors import DicodecError, WriteError

    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    try:
        fs, path = url_to_fs(target, **dict(storage_options or {}))
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if parent:
            fs.makedirs(parent, exist_ok=True)
        protocols = {fs.protocol} if isinstance(fs.protocol, str) else set(fs.protocol)
        if protocols & _ATOMIC_PUT:
            fs.pipe_file(path, buf.getvalue())
            return
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        try:
            fs.pipe_file(tmp, buf.getvalue())
            fs.mv(tmp, path)
        except BaseException:
            with contextlib.suppress(Exception):  # a failed or partial upload leaves nothing
                fs.rm(tmp)
            raise
    except DicodecError:
        raise
    except Exception as exc:  # fsspec and its backends raise anything
        raise WriteError(f"cannot write {target}: {type(exc).__name__}: {exc}") from exc
