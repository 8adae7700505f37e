from __future__ import annotations

from pathlib import Path

from storage import transcripts
from storage.project import create_project
from storage.records import NewSegment
from storage.search import find_text, replaced_text


def test_find_in_one_and_all_transcripts(project_path: Path) -> None:
    with create_project(project_path) as project:
        first = transcripts.create_transcript(project, "M01", None)
        second = transcripts.create_transcript(project, "M02", None)
        transcripts.append_segments(project, first.id, [NewSegment(0, 1, "The ward team met Mrs Smith."),
                                                       NewSegment(1, 2, "Smithson said 50% agreed_ok.")], 2)
        transcripts.append_segments(project, second.id, [NewSegment(0, 1, "smith again, and Smith.")], 1)
        everywhere = find_text(project, "smith", whole_words=True)
        assert [(m.transcript_name, m.start) for m in everywhere] == [("M01", 22), ("M02", 0), ("M02", 17)]
        assert len(find_text(project, "Smith", match_case=True)) == 3  # Smithson counts without whole words
        assert len(find_text(project, "smith", transcript_id=first.id)) == 2
        assert find_text(project, "50%")[0].context == "Smithson said 50% agreed_ok."
        assert find_text(project, "agreed_ok")[0].start == 18
    assert replaced_text("Mrs Smith met smith", "smith", "M (social worker)", whole_words=True) == \
        "Mrs M (social worker) met M (social worker)"
