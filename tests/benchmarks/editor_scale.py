"""The editor on a three-hour meeting: about 3,000 turns, 30,000 words, four speakers.

Prints, under the offscreen platform unless a display is set:
    open_s       project file to painted text with its margins (goal <= 0.3)
    key_p95_ms   95th percentile time to handle a keystroke at the end of the document,
                 including the repaint (goal <= 16)
    seek_ms      highlight a word three hours in and bring it into view, painted (goal <= 50)
    rss_mb       resident memory of this process after opening (goal <= 400)

    python tests/benchmarks/editor_scale.py [--turns 3000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from storage import transcripts  # noqa: E402
from storage.project import create_project, open_project  # noqa: E402
from storage.records import NewSegment, Word  # noqa: E402

VOCABULARY = ("the discharge went wrong because nobody had the handover notes and the family "
              "were not told about the transfer so we agreed a review of safeguarding training").split()


def make_meeting(path: Path, turns: int) -> int:
    rng = random.Random(7)
    with create_project(path) as project:
        transcript = transcripts.create_transcript(project, "Three-hour meeting", None)
        t = 0.0
        batch: list[NewSegment] = []
        for index in range(turns):
            count = rng.randint(4, 16)
            words = []
            for _ in range(count):
                length = rng.uniform(0.12, 0.35)
                words.append(Word(rng.choice(VOCABULARY), round(t, 3), round(t + length, 3), 0.9))
                t += length + rng.uniform(0.0, 0.06)
            text = " ".join(w.text for w in words).capitalize() + "."
            words[-1] = Word(words[-1].text + ".", words[-1].start, words[-1].end, 0.9)
            words[0] = Word(words[0].text.capitalize(), words[0].start, words[0].end, 0.9)
            batch.append(NewSegment(words[0].start, words[-1].end, text, tuple(words), f"SPEAKER_{index % 4}"))
            t += rng.uniform(0.2, 0.8)
            if len(batch) == 500:
                transcripts.append_segments(project, transcript.id, batch, t)
                batch = []
        if batch:
            transcripts.append_segments(project, transcript.id, batch, t)
        return transcript.id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3000)
    args = parser.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from widgets.transcript_editor import TranscriptEditor

    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "three-hours.earmark"
        transcript_id = make_meeting(path, args.turns)
        editor = TranscriptEditor()
        editor.resize(1100, 800)
        editor.show()
        app.processEvents()

        started = time.perf_counter()
        with open_project(path) as project:
            segments = transcripts.segments(project, transcript_id)
            editor.set_segments(segments)
            editor.viewport().repaint()
            editor._margin.repaint()
            open_s = time.perf_counter() - started
            words = sum(len(s.words) for s in segments)

            cursor = editor.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            editor.setTextCursor(cursor)
            editor.setFocus()
            app.processEvents()
            timings = []
            for char in "and then we talked about the plan again " * 5:
                began = time.perf_counter()
                QTest.keyClick(editor, char if char != " " else Qt.Key.Key_Space)
                editor.viewport().repaint()
                timings.append((time.perf_counter() - began) * 1000)
            key_p95 = statistics.quantiles(timings, n=20)[18]

            far = segments[-5].words[2].start
            began = time.perf_counter()
            editor.follow_playback = True
            editor.highlight_time(segments[len(segments) // 2].words[1].start)
            editor.highlight_time(far)
            editor.viewport().repaint()
            seek_ms = (time.perf_counter() - began) * 1000
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"# turns={len(segments)} words={words} speakers=4 duration_h={segments[-1].end / 3600:.2f}")
        print(f"open_s={open_s:.3f} key_p95_ms={key_p95:.1f} seek_ms={seek_ms:.1f} rss_mb={rss_mb:.0f}")
        editor.flush_pending()
    return 0


if __name__ == "__main__":
    sys.exit(main())
