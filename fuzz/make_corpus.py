"""Build the seed corpora of the fuzz targets in /tmp/fuzz-corpus/<target>/.

Usage::

    python fuzz/make_corpus.py [--out /tmp/fuzz-corpus] [--max-len 65536] [TARGET ...]

Seeds come from the shared corpus (``../shared/corpus`` or ``$DICODEC_SHARED/corpus``)
and from small images dicodec writes itself in every transfer syntax it can encode:

* dcmread, framereader: whole files (files larger than ``--max-len`` are cut at it),
  plus small synthetic files of every transfer syntax.
* deflate: the deflated bodies of the corpus' Deflated files (mode byte 0), and inflated
  data set bodies of corpus files (mode byte 1, see fuzz/targets.py).
* json: ``Dataset.to_json()`` of corpus files (read without pixel data).
* encaps: the encapsulated Pixel Data values of corpus files, every fragment shrunk to
  at most 32 bytes (offset tables rewritten to match), behind the 2-byte prefix.
* dicomdir: the corpus DICOMDIRs and a File-set dicodec writes.
* codec_*: single frames (corpus and synthetic) behind the 10-byte frame description.

The corpus files themselves are never copied into the repository. Without the shared
corpus only the synthetic seeds are written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import struct
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import targets  # noqa: E402

CORPUS = Path(os.environ.get("DICODEC_SHARED", HERE.parents[1] / "shared")) / "corpus"
OUT = Path("/tmp/fuzz-corpus")
MAX_FILES = 400


def corpus_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "manifest.csv"
    if not manifest.exists():
        return []
    with open(manifest, newline="") as fh:
        return list(csv.DictReader(fh))


def corpus_file(row: dict[str, str]) -> Path:
    return CORPUS / "files" / row["relpath"]


class Seeds:
    """A seed directory with content-addressed, de-duplicated files."""

    def __init__(self, root: Path, target: str, max_len: int) -> None:
        self.dir = root / target
        self.dir.mkdir(parents=True, exist_ok=True)
        self.max_len = max_len
        self.count = 0

    def add(self, data: bytes) -> None:
        data = bytes(data[: self.max_len])
        if not data:
            return
        name = hashlib.sha1(data).hexdigest()
        path = self.dir / name
        if not path.exists():
            path.write_bytes(data)
            self.count += 1


# ----------------------------------------------------------------- synthetic data
def synthetic_datasets() -> Iterator[tuple[str, object]]:
    """(transfer syntax, small data set) for every syntax dicodec can write here."""
    import numpy as np

    import dicodec
    from dicodec.dataset import Dataset, FileMetaDataset
    from dicodec.plugins import get_registry
    from dicodec.uid import generate_uid

    rng = np.random.default_rng(1)

    def image(rows: int, cols: int, samples: int, bits: int, frames: int, signed: int) -> Dataset:
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
        ds.PatientName = "Fuzz^Seed"
        ds.PatientID = "FUZZ"
        ds.Modality = "OT"
        ds.Rows, ds.Columns, ds.SamplesPerPixel = rows, cols, samples
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, bits, bits - 1
        ds.PixelRepresentation = signed
        ds.PhotometricInterpretation = "RGB" if samples == 3 else "MONOCHROME2"
        if samples == 3:
            ds.PlanarConfiguration = 0
        if frames > 1:
            ds.NumberOfFrames = frames
        dtype = {8: np.uint8, 16: np.uint16}[bits]
        shape = (frames, rows, cols, samples) if samples > 1 else (frames, rows, cols)
        arr = rng.integers(0, 1 << min(bits, 12), size=shape, dtype=dtype)
        arr = np.cumsum(arr, axis=-1 if samples == 1 else -2, dtype=dtype)  # some structure
        if signed:
            arr = arr.view(np.int16 if bits == 16 else np.int8)
        ds.add_new(0x7FE00010, "OB" if bits == 8 else "OW", arr.tobytes())
        return ds

    shapes = [
        (8, 8, 1, 8, 1, 0),
        (16, 12, 1, 16, 1, 0),
        (8, 8, 3, 8, 1, 0),
        (6, 10, 1, 16, 3, 1),
        (4, 4, 3, 8, 2, 0),
    ]
    registry = get_registry()
    encodable = sorted(
        {
            ts
            for n in registry.codec_names(purpose="encode")
            for ts in registry.codecs[n].spec.transfer_syntaxes
        }
    )
    native = [
        "1.2.840.10008.1.2",
        "1.2.840.10008.1.2.1",
        "1.2.840.10008.1.2.2",
        "1.2.840.10008.1.2.1.99",
    ]
    for shape in shapes:
        for ts in native + [t for t in encodable if t not in native]:
            ds = image(*shape)
            try:
                if ts in native:
                    ds.file_meta.TransferSyntaxUID = ts
                else:
                    ds.compress(ts) if hasattr(ds, "compress") else dicodec.pixels.compress(ds, ts)
            except Exception:
                continue
            yield ts, ds


def write_bytes(ds: object) -> bytes | None:
    import dicodec

    buf = io.BytesIO()
    try:
        dicodec.dcmwrite(buf, ds)
    except Exception:
        return None
    return buf.getvalue()


# ----------------------------------------------------------------- per target
def body_offset(data: bytes) -> int | None:
    """Where the data set starts after a Part 10 File Meta group (explicit VR LE)."""
    if len(data) < 144 or data[128:132] != b"DICM":
        return None
    g, e, vr = struct.unpack_from("<HH2s", data, 132)
    if (g, e) != (2, 0) or vr != b"UL":
        return None
    (length,) = struct.unpack_from("<L", data, 140)
    return 144 + length


def frames_of(ds: object) -> tuple[object, list[bytes]] | None:
    """(description, up to two encoded frames) of a data set, or None."""
    from dicodec import encaps
    from dicodec.pixels.description import describe

    try:
        desc = describe(ds)  # type: ignore[arg-type]
    except Exception:
        return None
    value = ds[desc.pixel_tag].value  # type: ignore[index]
    if desc.encapsulated:
        try:
            table = encaps.frame_table(value, desc.number_of_frames)
            n = min(2, len(table))
            return desc, [table.frame_bytes(value, i) for i in range(n)]
        except Exception:
            return None
    size = desc.spec.native_length
    if desc.spec.bits_allocated == 1 or not size or len(value) < size:
        return None
    n = min(2, len(value) // size)
    return desc, [bytes(value[i * size : (i + 1) * size]) for i in range(n)]


def codec_seed(desc: object, frame: bytes, ts_index: int) -> bytes | None:
    spec = desc.spec  # type: ignore[attr-defined]
    if spec.bits_allocated not in targets.BITS_ALLOCATED or spec.samples_per_pixel not in (1, 3):
        return None
    if spec.decoded_length > targets.MAX_DECODED or spec.rows > 0xFFFF or spec.columns > 0xFFFF:
        return None
    pi = (
        spec.photometric_interpretation
        if spec.photometric_interpretation in targets.PHOTOMETRIC
        else "MONOCHROME2"
    )
    return (
        targets.frame_header(
            spec.rows,
            spec.columns,
            spec.samples_per_pixel,
            spec.bits_allocated,
            spec.bits_stored,
            bool(spec.pixel_representation),
            spec.planar_configuration,
            pi,
            ts_index,
        )
        + frame
    )


def shrink_encapsulated(value: bytes, keep: int = 32) -> bytes | None:
    """The item structure of ``value`` with every fragment cut to ``keep`` bytes, tables fixed."""
    from dicodec import encaps

    try:
        items = encaps.parse_items(value)
    except Exception:
        return None
    bot_off, bot_len = items[0]
    first = bot_off + bot_len
    new_offsets: dict[int, int] = {}
    body = bytearray()
    for off, length in items[1:]:
        new_offsets[off - 8 - first] = len(body)
        frag = bytes(value[off : off + length])
        if length > keep:
            frag = frag[: keep // 2] + frag[-(keep // 2) :]
        body += struct.pack("<HHL", 0xFFFE, 0xE000, len(frag)) + frag
    bot = b""
    if bot_len and bot_len % 4 == 0:
        old = struct.unpack_from(f"<{bot_len // 4}L", value, bot_off)
        bot = struct.pack(f"<{len(old)}L", *(new_offsets.get(o, o) for o in old))
    return (
        struct.pack("<HHL", 0xFFFE, 0xE000, len(bot))
        + bot
        + bytes(body)
        + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    )


def build(out: Path, max_len: int, only: set[str] | None) -> dict[str, int]:
    warnings.simplefilter("ignore")
    targets.configure()
    import dicodec
    from dicodec.plugins import get_registry

    registry = get_registry()
    registry.ensure_loaded()
    wanted = set(targets.TARGETS) if not only else only
    seeds = {t: Seeds(out, t, max_len) for t in wanted}

    def add(target: str, data: bytes | None) -> None:
        if data and target in seeds:
            seeds[target].add(data)

    codec_by_ts: dict[str, list[tuple[str, int]]] = {}
    for target, codec in targets.CODEC_TARGETS.items():
        entry = registry.codecs.get(codec)
        if entry is None:
            continue
        for i, ts in enumerate(entry.spec.transfer_syntaxes):
            codec_by_ts.setdefault(ts, []).append((target, i))

    def add_frames(ds: object, ts: str) -> None:
        found = frames_of(ds)
        if found is None:
            return
        desc, frames = found
        for target, i in codec_by_ts.get(ts, []):
            for frame in frames:
                add(target, codec_seed(desc, frame, i))

    # synthetic images of every syntax
    for ts, ds in synthetic_datasets():
        data = write_bytes(ds)
        add("dcmread", data)
        add("framereader", data)
        add_frames(ds, ts)
        if data and ts == "1.2.840.10008.1.2.1.99":
            start = body_offset(data)
            if start:
                add("deflate", b"\0" + data[start:])
        if data and ts == "1.2.840.10008.1.2.1":
            start = body_offset(data)
            if start:
                add("deflate", b"\1" + data[start:])
        if data and ds.file_meta.TransferSyntaxUID.is_encapsulated:  # type: ignore[attr-defined]
            value = bytes(ds.PixelData)  # type: ignore[attr-defined]
            nf = int(getattr(ds, "NumberOfFrames", 1) or 1)
            add("encaps", bytes([nf, 0x80]) + value)
            add("encaps", bytes([0, 0]) + value)
    # extended offset table seeds
    from dicodec.encaps import encapsulate_extended

    value, eot, eotl = encapsulate_extended([b"\xff\xd8abcd\xff\xd9", b"\xff\xd8efghij\xff\xd9"])
    add("encaps", bytes([2, 3, 2]) + eot + eotl + value)
    add("encaps", bytes([2, 1, 2]) + eot + value)
    # a File-set dicodec writes
    if "dicomdir" in seeds:
        from dicodec import examples
        from dicodec.fileset import FileSet

        with tempfile.TemporaryDirectory() as tmp:
            try:
                fs = FileSet()
                for name in ("ct", "overlay"):
                    fs.add(getattr(examples, name))
                fs.write(tmp)
                add("dicomdir", (Path(tmp) / "DICOMDIR").read_bytes())
            except Exception as exc:
                print("synthetic File-set failed:", exc)
    # JSON of the bundled examples
    from dicodec import examples

    for name in ("ct", "overlay"):
        try:
            add("json", getattr(examples, name).to_json(bulk_data_threshold=256).encode())
        except Exception:
            pass

    rows = corpus_rows()
    if not rows:
        print(f"{CORPUS} is missing: synthetic seeds only")
    per_target_files = 0
    for row in rows:
        path = corpus_file(row)
        if not path.is_file():
            continue
        raw = path.read_bytes()
        ts = row["transfer_syntax"]
        per_target_files += 1
        if row["is_dicomdir"] == "True":
            add("dicomdir", raw)
        if per_target_files <= MAX_FILES:
            add("dcmread", raw)
            add("framereader", raw)
        start = body_offset(raw)
        if start is not None and ts == "1.2.840.10008.1.2.1.99":
            add("deflate", b"\0" + raw[start:])
            try:
                import zlib

                add("deflate", b"\1" + zlib.decompress(raw[start:], -15))
            except Exception:
                pass
        elif start is not None and ts == "1.2.840.10008.1.2.1" and len(raw) - start <= max_len:
            add("deflate", b"\1" + raw[start:])
        try:
            ds = dicodec.dcmread(path, force=True)
        except Exception:
            continue
        if len(raw) <= 4 * 1024 * 1024:
            try:
                head = dicodec.dcmread(path, force=True, stop_before_pixels=True)
                add("json", head.to_json(bulk_data_threshold=256).encode())
            except Exception:
                pass
        if ts in codec_by_ts:
            add_frames(ds, ts)
        if 0x7FE00010 in ds:
            try:
                value = ds[0x7FE00010].value
                if (
                    ts
                    and dicodec.uid.UID(ts).is_encapsulated
                    and isinstance(value, (bytes, bytearray))
                ):
                    small = shrink_encapsulated(bytes(value))
                    nf = int(getattr(ds, "NumberOfFrames", 1) or 1)
                    if small:
                        add("encaps", bytes([min(nf, 255), 0x80]) + small)
                        add("encaps", bytes([0, 0]) + small)
            except Exception:
                pass
    return {t: len(os.listdir(s.dir)) for t, s in seeds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", help="only these targets (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--max-len", type=int, default=65536, help="cut seeds to this many bytes")
    args = parser.parse_args()
    counts = build(args.out, args.max_len, set(args.targets) or None)
    for target, n in sorted(counts.items()):
        print(f"{target:28s} {n:5d} seeds in {args.out / target}")


if __name__ == "__main__":
    main()
