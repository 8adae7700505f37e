"""Reading other tools' transcripts: the real samples in ../shared/testdata (skipped when absent)
and small files written here for each rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.transcript_formats import TranscriptFormatError, parse_time, read_transcript

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "transcripts"
WEBVTT = TESTDATA / "webvtt-py"
NVIVO = TESTDATA / "nvivo-style-transcribeme"
BROKEN = {"invalid.vtt", "invalid_timeframe.vtt", "invalid_timeframe.srt", "missing_caption_text.vtt",
          "missing_timeframe.vtt", "missing_timeframe.srt", "empty.vtt", "no_captions.vtt"}
needs_testdata = pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata is absent")


@needs_testdata
@pytest.mark.parametrize("name", sorted(p.name for p in WEBVTT.glob("*.*")) if WEBVTT.is_dir() else [])
def test_every_webvtt_py_sample_imports_or_is_refused_saying_where(name: str) -> None:
    path = WEBVTT / name
    if name in BROKEN:
        with pytest.raises(TranscriptFormatError) as refused:
            read_transcript(path)
        assert name in str(refused.value)
        if name not in ("empty.vtt", "no_captions.vtt"):
            assert ", line " in str(refused.value)  # where, for the files that have a bad line
        return
    imported = read_transcript(path)
    assert imported.turns and all(t.text for t in imported.turns)
    assert all(t.start is not None and t.end is not None and t.end >= t.start for t in imported.turns)
    assert all("<" not in t.text for t in imported.turns)  # cue tags and voice tags are gone


@needs_testdata
def test_the_sample_vtt_has_its_sixteen_cues_over_64_seconds() -> None:
    turns = read_transcript(WEBVTT / "sample.vtt").turns
    assert len(turns) == 16 and turns[0].start == 0.5 and turns[-1].end == pytest.approx(64.0, abs=1)


@needs_testdata
def test_the_teams_file_keeps_its_speakers_and_overlapping_cues() -> None:
    turns = read_transcript(WEBVTT / "teams_timeframe.vtt").turns
    assert turns[0].speaker == "Yuri Bakulin" and turns[0].text == "There you go."
    assert turns[1].speaker == "Adrian Petrescu" and turns[1].start == pytest.approx(0.21)
    assert turns[1].start < turns[0].end  # they overlap, as people do
    assert all(t.speaker for t in turns)


@needs_testdata
def test_the_nvivo_windows_transcript_has_31_turns_by_s1_and_s2() -> None:
    imported = read_transcript(next(NVIVO.glob("*nvivo-pc.txt")))
    assert imported.format == "nvivo-windows"
    assert len(imported.turns) == 31 and {t.speaker for t in imported.turns} == {"S1", "S2"}
    first = imported.turns[0]
    assert (first.start, first.end, first.speaker) == (pytest.approx(0.309), pytest.approx(7.074), "S1")
    assert first.text.startswith("And in conclusion")


@needs_testdata
def test_the_nvivo_mac_and_plain_layouts_give_the_same_turns() -> None:
    mac = read_transcript(next(NVIVO.glob("*nvivo-mac.txt")))
    plain = read_transcript(next(NVIVO.glob("*_plain.txt")))
    assert (mac.format, plain.format) == ("nvivo-mac", "plain")
    assert [t.speaker for t in mac.turns] == [t.speaker for t in plain.turns]
    assert mac.turns[1].start == pytest.approx(7.0) and plain.turns[1].start == pytest.approx(7.074)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_srt_with_crlf_and_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "a.srt", "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nSN1: Hello &amp; welcome\r\n\r\n"
                                    "2\r\n00:00:03,000 --> 00:00:04,000\r\n<i>Thanks</i>\r\n")
    turns = read_transcript(path).turns
    assert [(t.start, t.end, t.text) for t in turns] == [(1.0, 2.5, "SN1: Hello & welcome"), (3.0, 4.0, "Thanks")]


def test_a_bad_time_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "b.srt", "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:03,000 --> 00:0x:04,000\nTwo\n")
    with pytest.raises(TranscriptFormatError, match=r"b\.srt, line 6: '00:0x:04,000' is not a time"):
        read_transcript(path)


def test_a_cue_ending_before_it_starts_keeps_its_words_and_says_where(tmp_path: Path) -> None:
    imported = read_transcript(write(tmp_path, "c.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nBackwards\n"))
    assert [(t.start, t.end, t.text) for t in imported.turns] == [(5.0, 5.0, "Backwards")]
    assert imported.warnings == ("c.vtt, line 3: the cue ends before it starts; its end was set to its start.",)


def test_each_cue_format_insists_on_its_own_fraction_separator(tmp_path: Path) -> None:
    with pytest.raises(TranscriptFormatError, match=r"h\.srt, line 2: '00:00:02\.000' is not a time \(expected e\.g\. 00:01:02,500\)"):
        read_transcript(write(tmp_path, "h.srt", "1\n00:00:01,000 --> 00:00:02.000\nOne\n"))


def test_plain_speaker_lines_with_and_without_times(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "[00:00:05] SN1: Hot issues first.\nthen what is working well.\n"
                                    "CG: 00:00:12.5 Agreed.\n", encoding="utf-16")
    turns = read_transcript(path).turns
    assert [(t.start, t.end, t.speaker, t.text) for t in turns] == [
        (5.0, 12.5, "SN1", "Hot issues first.\nthen what is working well."), (12.5, None, "CG", "Agreed.")]


def test_text_that_is_not_utf8_or_is_binary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TranscriptFormatError, match="line 2: the file is not UTF-8"):
        read_transcript(write(tmp_path, "e.txt", "SN1: ok\nSN2: caf\xe9\n", encoding="latin-1"))
    with pytest.raises(TranscriptFormatError, match="binary data"):
        read_transcript(write(tmp_path, "f.srt", "1\x00\x00\x00"))
    with pytest.raises(TranscriptFormatError, match="is empty"):
        read_transcript(write(tmp_path, "g.vtt", "  \n"))


@pytest.mark.parametrize(("value", "seconds"), [("1:02:03.456", 3723.456), ("02:03.5", 123.5), ("0:0:0.570", 0.57),
                                                ("00:00:00,3", 0.3), ("00:00:07,074", 7.074)])
def test_times_in_every_layout(value: str, seconds: float) -> None:
    assert parse_time(value, "here") == pytest.approx(seconds)


def test_a_word_transcript_reads_like_plain_lines(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    for line in ("SN1: 00:00:01.0 Hot issues first.", "CG: 00:00:04.0 Agreed."):
        document.add_paragraph(line)
    document.save(str(tmp_path / "m.docx"))
    imported = read_transcript(tmp_path / "m.docx")
    assert [(t.speaker, t.start, t.end, t.text) for t in imported.turns] == [
        ("SN1", 1.0, 4.0, "Hot issues first."), ("CG", 4.0, None, "Agreed.")]
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(TranscriptFormatError, match="bad.docx cannot be read"):
        read_transcript(tmp_path / "bad.docx")
