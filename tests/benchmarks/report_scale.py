"""Reports at scale: the generated study of tests/storage/coding_data.build_large_study (50
transcripts, 20,000 codings of 10 codes), one code's 2,000 passages written as each report.

    passages_<fmt>_ms   the coded-passages report as docx, html, xlsx and csv, and its ratio to
                        storage.retrieval.coded_passages alone (the read every report starts with),
                        measured in the same process on the same project
    quotes_<fmt>_ms     the quote boxes (docx, html)
    pseudonymised_ms    the CSV again with a pseudonym list of two names applied
    leaks_ms            the pre-export check (report_leaks) of the same passages
    codes_ms            the code tree (docx, csv); memos_ms the 50 memos (docx)

Wall-clock medians; run on a quiet machine:
    python tests/benchmarks/report_scale.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from storage import pseudonyms, retrieval  # noqa: E402
from storage.project import create_project  # noqa: E402
from storage.reports import REPORT_FORMATS, report_leaks, write_report  # noqa: E402
from tests.benchmarks.coding_scale import median_ms  # noqa: E402
from tests.storage.coding_data import build_large_study  # noqa: E402

RUNS = 3


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with create_project(folder / "large.earmark") as project:
            codes = build_large_study(project)
            chosen = [codes[0]]
            passages = len(retrieval.coded_passages(project, chosen))
            read_ms = median_ms(RUNS, lambda: retrieval.coded_passages(project, chosen))
            print(f"# transcripts=50 codings=20000 passages_reported={passages}")
            print(f"coded_passages_ms={read_ms:.1f} (the reference: ratio 1.0)")
            for kind in ("passages", "quotes"):
                for fmt in REPORT_FORMATS[kind]:
                    out = folder / f"{kind}.{fmt}"
                    took = median_ms(RUNS, lambda: write_report(project, out, kind, fmt, code_ids=chosen))
                    size = out.stat().st_size // 1024
                    print(f"{kind}_{fmt}_ms={took:.1f} (ratio {took / read_ms:.1f}; {size} KiB)")
            pseudonyms.add_pseudonym(project, "Sarah Jones", "SN2", ["Sarah"])
            pseudonyms.add_pseudonym(project, "Zoë Brennan", "CG", ["Zoë"])
            took = median_ms(RUNS, lambda: write_report(project, folder / "p.csv", "passages", "csv", code_ids=chosen,
                                                        pseudonymise=True))
            print(f"pseudonymised_ms={took:.1f} (csv with two names listed; ratio {took / read_ms:.1f})")
            took = median_ms(RUNS, lambda: report_leaks(project, "passages", chosen, False))
            print(f"leaks_ms={took:.1f} (pre-export check of the same passages; ratio {took / read_ms:.1f})")
            codes_docx = median_ms(RUNS, lambda: write_report(project, folder / "codes.docx", "codes", "docx"))
            codes_csv = median_ms(RUNS, lambda: write_report(project, folder / "codes.csv", "codes", "csv"))
            memos_ms = median_ms(RUNS, lambda: write_report(project, folder / "memos.docx", "memos", "docx"))
            print(f"codes_ms docx={codes_docx:.1f} csv={codes_csv:.1f} memos_ms={memos_ms:.1f} (50 memos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
