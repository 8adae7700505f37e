"""Bad media gives a clear error that names the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.decode import decode, probe
from audio.errors import MediaError


def test_probe_describes_the_sample(sample: Path) -> None:
    info = probe(sample)
    assert 60 < info.duration < 130
    assert info.channels == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.wav", None, "does not exist"),
        ("empty.wav", b"", "is empty"),
        ("notes.wav", b"These are my interview notes, not audio.\n" * 20, "not a media file"),
        ("broken.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40, "not a media file|no audio|could not"),
    ],
)
def test_bad_media_is_named_in_the_error(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MediaError, match=message) as caught:
        probe(path)
        decode(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
