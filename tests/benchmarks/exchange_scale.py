"""REFI-QDA exchange at scale: a study of 50 meetings (20,000 turns, 400,000 words) with 20,000
codings, exported to .qdpx and imported into a new project.

    export_s      export_qdpx of the whole study, and the ratio to zipping the same member files
                  with zipfile alone (the floor: compressing and writing the bytes)
    import_s      import_qdpx of that archive into an empty project, and the ratio to parsing its
                  project.qde with ElementTree alone (the floor: reading the XML)
    counts        what came back, so a fast but lossy run cannot pass unnoticed

Wall-clock medians of three runs; run on a quiet machine:
    python tests/benchmarks/exchange_scale.py
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from storage.project import create_project  # noqa: E402
from storage.refi_qda.export import export_qdpx  # noqa: E402
from storage.refi_qda.import_ import import_qdpx  # noqa: E402
from tests.benchmarks.coding_scale import median_ms  # noqa: E402
from tests.storage.coding_data import build_large_study  # noqa: E402

RUNS = 3


def rezip(archive: Path) -> None:
    """The same members, compressed and written with zipfile and nothing else."""
    with zipfile.ZipFile(archive) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            target.writestr(name, data)


def parse_only(archive: Path) -> None:
    with zipfile.ZipFile(archive) as source:
        ElementTree.fromstring(source.read("project.qde"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="earmark-exchange-bench-") as folder_name:
        folder = Path(folder_name)
        with create_project(folder / "study.earmark") as project:
            build_large_study(project)
            archive = folder / "study.qdpx"
            export_ms = median_ms(RUNS, lambda: export_qdpx(project, archive))
            summary = export_qdpx(project, archive)
        zip_ms = median_ms(RUNS, lambda: rezip(archive))
        runs: list[Path] = []

        def import_once() -> None:
            target = folder / f"imported-{len(runs)}.earmark"
            runs.append(target)
            with create_project(target) as fresh:
                import_qdpx(fresh, archive)

        import_ms = median_ms(RUNS, import_once)
        parse_ms = median_ms(RUNS, lambda: parse_only(archive))
        with create_project(folder / "check.earmark") as fresh:
            back = import_qdpx(fresh, archive)
        print(f"archive: {archive.stat().st_size / 1e6:.1f} MB; exported {summary.sources} sources, {summary.codes} codes, "
              f"{summary.codings} codings; imported {back.sources} sources, {back.codes} codes, {back.codings} codings")
        print(f"export_s {export_ms / 1000:.2f}  (zipfile alone {zip_ms / 1000:.2f}; ratio {export_ms / zip_ms:.1f})")
        print(f"import_s {import_ms / 1000:.2f}  (ElementTree parse alone {parse_ms / 1000:.2f}; ratio {import_ms / parse_ms:.1f})")
        print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
