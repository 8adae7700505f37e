"""What encryption costs: the same generated study (tests/storage/coding_data.py build_large_study:
50 meetings, 20,000 turns, 20,000 codings) built once plain and once encrypted, then
    open_ms       open_project (password, lock, integrity check, schema check) and a first read
                  (the transcripts list, as the window shows it), the newest backup already current;
                  median of several openings
    integrity_check_ms  the PRAGMA integrity_check that every opening runs, on its own
    first_open_ms the first opening after the study was written, which also takes a rolling backup
    retrieval_ms  coded_passages for one code (2,000 passages) on an open project, warm; and cold,
                  the first retrieval after opening
    search_ms     full-text search, median over several queries
and the ratio encrypted / plain of each (goal: open and retrieval at most 1.5x plain). The key
derivation (PBKDF2-HMAC-SHA512, 256,000 rounds, paid once per opening) is shown on its own.

Wall-clock medians; run on a quiet machine:
    python tests/benchmarks/encryption_overhead.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from storage import encryption, fulltext, retrieval, transcripts  # noqa: E402
from storage.project import _inspect, create_project, open_project  # noqa: E402
from tests.benchmarks.coding_scale import median_ms  # noqa: E402
from tests.storage.coding_data import build_large_study  # noqa: E402

PASSWORD = "a long passphrase of several words"
RUNS = 7
QUERIES = ("handover family", "discharg", "social worker", "consent review home", "nothing here at all")


def opened_and_read(path: Path, password: str | None) -> None:
    with open_project(path, password) as project:
        transcripts.list_transcripts(project)


def cold_retrieval(path: Path, password: str | None, code: int) -> float:
    with open_project(path, password) as project:
        return median_ms(1, lambda: retrieval.coded_passages(project, [code]))


def measure(path: Path, password: str | None) -> dict[str, float]:
    with create_project(path, password) as project:
        code = build_large_study(project)[0]
    figures = {"first_open_ms": median_ms(1, lambda: opened_and_read(path, password))}
    figures["open_ms"] = median_ms(RUNS, lambda: opened_and_read(path, password))
    key = encryption.key_for_file(path, password) if password else None
    figures["integrity_check_ms"] = median_ms(3, lambda: _inspect(path, key, read_only=True))
    figures["cold_retrieval_ms"] = statistics.median(cold_retrieval(path, password, code) for _ in range(3))
    with open_project(path, password) as project:
        figures["passages"] = len(retrieval.coded_passages(project, [code]))
        figures["retrieval_ms"] = median_ms(RUNS, lambda: retrieval.coded_passages(project, [code]))
        figures["search_ms"] = statistics.median(
            median_ms(3, lambda q=q: fulltext.search(project, q)) for q in QUERIES)
    figures["size_mb"] = path.stat().st_size / 1e6
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        plain = measure(Path(folder) / "plain.earmark", None)
        encrypted = measure(Path(folder) / "encrypted.earmark", PASSWORD)
        salt = os.urandom(encryption.SALT_BYTES)
        kdf_ms = median_ms(3, lambda: encryption.derive_key(PASSWORD, salt))
    print(f"# transcripts=50 turns=20000 codings=20000; file {plain['size_mb']:.1f} MB plain, "
          f"{encrypted['size_mb']:.1f} MB encrypted; {int(plain['passages'])} passages retrieved")
    for name, goal in (("open_ms", " (goal <= 1.5)"), ("first_open_ms", ""), ("integrity_check_ms", ""),
                       ("retrieval_ms", " (goal <= 1.5)"),
                       ("cold_retrieval_ms", ""), ("search_ms", "")):
        ratio = encrypted[name] / plain[name]
        print(f"{name:<18} plain={plain[name]:8.1f}  encrypted={encrypted[name]:8.1f}  ratio={ratio:.2f}{goal}")
    print(f"key derivation     {kdf_ms:.1f} ms (PBKDF2-HMAC-SHA512, {encryption.KDF_ITERATIONS:,} rounds, "
          "once per opening; included in the encrypted open_ms)")
    print(f"open_ms without the key derivation: encrypted={encrypted['open_ms'] - kdf_ms:.1f}, "
          f"ratio={(encrypted['open_ms'] - kdf_ms) / plain['open_ms']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
