"""File-set speed: dicodec.fileset against pydicom.fileset in the same run.

The workload is ``--instances`` small CT instances (no pixel data) spread over 20
patients with two series each, written once as loose files. Sections:

``build``
    ``FileSet()``, ``add(path)`` for every file, ``write(root)`` into a fresh folder.
``read``
    ``FileSet(DICOMDIR)`` of the File-set written by each library (its own).
``search``
    ``find(PatientID=...)`` for every patient, then ``find_values("SeriesInstanceUID")``.

Contenders alternate every pass; figures are medians over the passes and the ratio
is the median of per-pass pydicom / dicodec ratios.

Examples
--------
From the repository root, with the dev environment::

    python tests/benchmarks/bench_fileset.py                 # ~1 minute
    python tests/benchmarks/bench_fileset.py --instances 500 --passes 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable

from dicodec.dataset import Dataset, FileDataset, FileMetaDataset
from dicodec.fileset import FileSet
from dicodec.uid import generate_uid


def make_files(folder: str, count: int) -> list[str]:
    paths = []
    for n in range(count):
        patient, series = n % 20, (n // 20) % 2
        ds = Dataset()
        ds.PatientName = f"Bench^{patient}"
        ds.PatientID = f"BENCH{patient:04d}"
        ds.StudyInstanceUID = generate_uid(entropy_srcs=["bench", str(patient)])
        ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20240101", "120000", "1", ""
        ds.Modality = "CT"
        ds.SeriesInstanceUID = generate_uid(entropy_srcs=["bench", str(patient), str(series)])
        ds.SeriesNumber = series + 1
        ds.InstanceNumber = n
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        ds.SOPInstanceUID = generate_uid(entropy_srcs=["bench", str(n)])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        fds = FileDataset(None, ds, preamble=b"\x00" * 128, file_meta=meta, is_implicit_VR=False)
        path = os.path.join(folder, f"f{n:06d}.dcm")
        fds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)
    from pydicom import fileset as pd_fileset

    warnings.simplefilter("ignore")
    work = tempfile.mkdtemp(prefix="bench-fileset-")
    try:
        source = os.path.join(work, "src")
        os.makedirs(source)
        files = make_files(source, args.instances)
        results: dict[str, dict[str, list[float]]] = {
            s: {"dicodec": [], "pydicom": []} for s in ("build", "read", "search")
        }

        def build_ours(root: str) -> None:
            fs = FileSet()
            for path in files:
                fs.add(path)
            fs.write(root)

        def build_theirs(root: str) -> None:
            fs = pd_fileset.FileSet()
            for path in files:
                fs.add(path)
            fs.write(root)

        contenders = {
            "dicodec": (build_ours, FileSet),
            "pydicom": (build_theirs, pd_fileset.FileSet),
        }
        for p in range(args.passes):
            order = list(contenders) if p % 2 == 0 else list(reversed(contenders))
            for name in order:
                build, reader = contenders[name]
                root = os.path.join(work, f"{name}-{p}")
                results["build"][name].append(timed(lambda build=build, root=root: build(root)))
                dicomdir = os.path.join(root, "DICOMDIR")
                start = time.perf_counter()
                fs = reader(dicomdir)
                results["read"][name].append(time.perf_counter() - start)

                def search(fs: object = fs) -> None:
                    for patient in range(20):
                        fs.find(PatientID=f"BENCH{patient:04d}")  # type: ignore[attr-defined]
                    fs.find_values("SeriesInstanceUID")  # type: ignore[attr-defined]

                results["search"][name].append(timed(search))
                shutil.rmtree(root)
        print(
            f"{args.instances} instances, {args.passes} passes (median seconds; ratio = pydicom / dicodec)"
        )
        for section, by_name in results.items():
            ours, theirs = by_name["dicodec"], by_name["pydicom"]
            ratio = statistics.median(t / o for o, t in zip(ours, theirs, strict=True))
            print(
                f"  {section:<7} dicodec {statistics.median(ours):8.3f}   "
                f"pydicom {statistics.median(theirs):8.3f}   x{ratio:5.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
