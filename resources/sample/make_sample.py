"""Synthesise Earmark's bundled sample recording of a short meeting.

The sample is a fictional "Community of Practice" meeting of NHS and
local-authority professional leads, spoken by four espeak-ng voices.
Participants are identified only by role codes (in the manifest, never
spoken aloud):

* SN1 - senior nurse, chairs the meeting
* SW  - social work lead
* CG  - clinical governance lead
* OT  - occupational therapist

How to run (from the repository root)::

    python resources/sample/make_sample.py

Requirements: Python 3.11+ (standard library only), plus the ``espeak-ng``
and ``sox`` command-line tools on ``PATH`` (Debian: ``apt-get install
espeak-ng sox``; sox must have FLAC support, which the Debian package has).

Outputs, written next to this script:

* ``meeting.flac`` - mono, 16 kHz, 16-bit FLAC.
* ``meeting.json`` - manifest listing every turn as
  ``{speaker, voice, start, end, text}``; ``start``/``end`` are seconds
  computed from the actual sample counts of the synthesised audio.

The output is deterministic for a given espeak-ng/sox version: the
dialogue, voices and pauses are fixed data, sox runs without dither
(``-D``), and no randomness is used. Each speaker is normalised to the same
RMS loudness.

The voices and wording were chosen so that faster-whisper transcribes the
result almost word for word; ``PRONUNCIATIONS`` respells a word that
espeak-ng otherwise says in a way Whisper mishears. If you change the
dialogue or voices, re-check the transcription.
"""

from __future__ import annotations

import array
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 16_000
"""Output sample rate in Hz."""

TARGET_RMS_DBFS = -20.0
"""Loudness each speaker is normalised to (RMS over that speaker's speech)."""

PEAK_CEILING_DBFS = -1.0
"""No sample may exceed this level after normalisation."""

LEAD_IN_S = 0.4
"""Silence before the first turn."""

TAIL_S = 0.6
"""Silence after the last turn."""

EDGE_PAD_S = 0.03
"""Audio kept either side of the detected speech when trimming a turn."""

TRIM_THRESHOLD = 0.02
"""Fraction of a turn's peak below which edge samples count as silence."""

OUT_DIR = Path(__file__).resolve().parent
FLAC_PATH = OUT_DIR / "meeting.flac"
MANIFEST_PATH = OUT_DIR / "meeting.json"


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice setting for one speaker."""

    name: str
    """espeak-ng voice, ``language+variant``."""
    pitch: int
    """espeak-ng ``-p`` (0-99)."""
    speed: int
    """espeak-ng ``-s`` (words per minute)."""

    def label(self) -> str:
        """Describe the voice as it appears in the manifest."""
        return f"{self.name} -p {self.pitch} -s {self.speed}"


VOICES: dict[str, Voice] = {
    "SN1": Voice("en-gb+m3", pitch=50, speed=155),
    "SW": Voice("en-us+f2", pitch=62, speed=170),
    "CG": Voice("en-gb-x-rp+m1", pitch=22, speed=145),
    "OT": Voice("en-us+f5", pitch=70, speed=160),
}
"""Role code -> voice. Variants, pitch and speed all differ per speaker."""

# (speaker, pause before this turn in seconds, text). The first pause is
# ignored (LEAD_IN_S is used instead). Pauses are fixed, 0.6-1.5 s.
DIALOGUE: list[tuple[str, float, str]] = [
    (
        "SN1",
        0.0,
        "Good morning, and welcome to the Community of Practice. As usual: "
        "hot issues, what is working well, and feedback. Hot issues first.",
    ),
    (
        "SW",
        0.9,
        "Our main issue was a discharge between two units that went wrong. "
        "A patient was moved late on a Friday with no handover.",
    ),
    (
        "CG",
        1.1,
        "The medication chart did not go with the patient, and nobody told "
        "the family. A serious incident review has started.",
    ),
    (
        "OT",
        0.7,
        "She also arrived without her walking frame or a pressure cushion.",
    ),
    (
        "SN1",
        1.1,
        "Can we agree no transfers after eight in the evening, unless a "
        "senior nurse signs them off?",
    ),
    (
        "SW",
        0.8,
        "I agree. There was a safeguarding concern too. Her daughter was "
        "worried about her living alone.",
    ),
    (
        "CG",
        0.8,
        "That referral should have been made before the move. I will check "
        "the council received it.",
    ),
    ("SN1", 1.2, "Thank you. What is working well?"),
    (
        "OT",
        0.9,
        "Our joint home visits with social work. Families say they feel "
        "listened to.",
    ),
    ("SW", 0.6, "And sharing one assessment saves us all a lot of time."),
    ("SN1", 1.0, "Good. Next, statutory and mandatory training."),
    (
        "CG",
        1.0,
        "Most teams are up to date, but safeguarding training is behind.",
    ),
    (
        "OT",
        0.8,
        "Why don't we run short online sessions at lunchtime?",
    ),
    (
        "SN1",
        1.3,
        "Let's try that. So, the actions are: a review of the Friday "
        "discharge, the referral check, and a training plan.",
    ),
    ("CG", 0.9, "I will bring the review and the safeguarding update."),
    ("OT", 0.7, "And I will draft the training plan."),
    ("SN1", 0.9, "Thank you all. Please send me any feedback before next time."),
]


PRONUNCIATIONS: dict[str, str] = {
    "safeguarding": "[[s'eIfg,A@dIN]]",
}
"""Words espeak-ng says in a way speech recognisers mishear, mapped to
espeak-ng phoneme input (``[[...]]``). Applied only to the text sent to
espeak-ng; the manifest keeps the plain English text."""


@dataclass(frozen=True)
class Turn:
    """One synthesised turn of the meeting."""

    speaker: str
    voice: Voice
    pause_before: float
    text: str
    samples: array.array[int]


def require_tool(name: str) -> str:
    """Return the path of command-line tool ``name`` or exit with a message."""
    path = shutil.which(name)
    if path is None:
        sys.exit(f"make_sample.py: '{name}' not found on PATH; please install it.")
    return path


def spoken_form(text: str) -> str:
    """Return ``text`` with ``PRONUNCIATIONS`` substituted (case-insensitive)."""
    for word, phonemes in PRONUNCIATIONS.items():
        text = re.sub(rf"\b{re.escape(word)}\b", phonemes, text, flags=re.IGNORECASE)
    return text


def synthesise(text: str, voice: Voice, workdir: Path, index: int) -> array.array[int]:
    """Speak ``text`` with ``voice``; return 16 kHz mono 16-bit samples."""
    raw_wav = workdir / f"turn{index:02d}_raw.wav"
    wav_16k = workdir / f"turn{index:02d}_16k.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice.name,
            "-p",
            str(voice.pitch),
            "-s",
            str(voice.speed),
            "-w",
            str(raw_wav),
            spoken_form(text),
        ],
        check=True,
    )
    subprocess.run(
        [
            "sox",
            "-D",
            "-G",
            str(raw_wav),
            "-r",
            str(SAMPLE_RATE),
            "-c",
            "1",
            "-b",
            "16",
            str(wav_16k),
            "rate",
            "-v",
        ],
        check=True,
    )
    with wave.open(str(wav_16k), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise RuntimeError(f"unexpected WAV format from sox: {wav_16k}")
        frames = wav.readframes(wav.getnframes())
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return trim(samples)


def trim(samples: array.array[int]) -> array.array[int]:
    """Drop leading/trailing near-silence, keeping ``EDGE_PAD_S`` either side."""
    peak = max((abs(s) for s in samples), default=0)
    if peak == 0:
        return samples
    threshold = peak * TRIM_THRESHOLD
    first = next(i for i, s in enumerate(samples) if abs(s) > threshold)
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold)
    pad = int(EDGE_PAD_S * SAMPLE_RATE)
    return samples[max(0, first - pad) : min(len(samples), last + pad + 1)]


def rms(chunks: list[array.array[int]]) -> float:
    """Root-mean-square amplitude over all ``chunks``, ignoring near-silence."""
    total = 0.0
    count = 0
    for chunk in chunks:
        for s in chunk:
            if abs(s) > 100:
                total += float(s) * float(s)
                count += 1
    return math.sqrt(total / count) if count else 0.0


def speaker_gains(turns: list[Turn]) -> dict[str, float]:
    """Gain per speaker so all speakers share one RMS loudness.

    The common level is ``TARGET_RMS_DBFS``, lowered if needed so that no
    speaker's loudest sample exceeds ``PEAK_CEILING_DBFS``.
    """
    target = 32767.0 * 10 ** (TARGET_RMS_DBFS / 20)
    ceiling = 32767.0 * 10 ** (PEAK_CEILING_DBFS / 20)
    levels: dict[str, float] = {}
    for speaker in VOICES:
        chunks = [t.samples for t in turns if t.speaker == speaker]
        level = rms(chunks)
        peak = max(max(abs(s) for s in c) for c in chunks)
        levels[speaker] = level
        # The RMS this speaker would have with their peak at the ceiling.
        target = min(target, level * ceiling / peak)
    return {speaker: target / level for speaker, level in levels.items()}


def apply_gain(samples: array.array[int], gain: float) -> array.array[int]:
    """Scale ``samples`` by ``gain`` with rounding and clipping."""
    return array.array(
        "h", (max(-32768, min(32767, round(s * gain))) for s in samples)
    )


def main() -> None:
    """Synthesise every turn, assemble the meeting, write FLAC and manifest."""
    require_tool("espeak-ng")
    require_tool("sox")

    with tempfile.TemporaryDirectory(prefix="earmark-sample-") as tmp:
        workdir = Path(tmp)
        turns = [
            Turn(
                speaker=speaker,
                voice=VOICES[speaker],
                pause_before=pause,
                text=text,
                samples=synthesise(text, VOICES[speaker], workdir, i),
            )
            for i, (speaker, pause, text) in enumerate(DIALOGUE)
        ]
        gains = speaker_gains(turns)

        audio = array.array("h")
        manifest_turns: list[dict[str, object]] = []
        for i, turn in enumerate(turns):
            pause = LEAD_IN_S if i == 0 else turn.pause_before
            audio.extend(array.array("h", bytes(2 * round(pause * SAMPLE_RATE))))
            start = len(audio)
            audio.extend(apply_gain(turn.samples, gains[turn.speaker]))
            end = len(audio)
            manifest_turns.append(
                {
                    "speaker": turn.speaker,
                    "voice": turn.voice.label(),
                    "start": round(start / SAMPLE_RATE, 3),
                    "end": round(end / SAMPLE_RATE, 3),
                    "text": turn.text,
                }
            )
        audio.extend(array.array("h", bytes(2 * round(TAIL_S * SAMPLE_RATE))))

        if sys.byteorder == "big":
            audio.byteswap()
        mixed = workdir / "meeting.wav"
        with wave.open(str(mixed), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SAMPLE_RATE)
            wav.writeframes(audio.tobytes())

        subprocess.run(
            ["sox", "-D", str(mixed), "-b", "16", "-C", "8", str(FLAC_PATH)],
            check=True,
        )

    duration = len(audio) / SAMPLE_RATE
    manifest = {
        "title": "Community of Practice meeting (synthetic sample)",
        "description": (
            "Synthetic meeting of NHS and local-authority professional leads, "
            "generated with espeak-ng by make_sample.py. Speakers are role "
            "codes; times are seconds from the start of meeting.flac."
        ),
        "audio": FLAC_PATH.name,
        "sample_rate": SAMPLE_RATE,
        "duration": round(duration, 3),
        "speakers": {
            "SN1": "Senior nurse (chair)",
            "SW": "Social work lead",
            "CG": "Clinical governance lead",
            "OT": "Occupational therapist",
        },
        "turns": manifest_turns,
    }
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {FLAC_PATH} ({duration:.1f} s, {len(turns)} turns) and {MANIFEST_PATH}")


if __name__ == "__main__":
    main()
