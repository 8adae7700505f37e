"""The speaker commands of the command line.

- `earmark speakers install`: fetch the speaker model once (the only network use; on request).
- `earmark speakers PROJECT [--transcript ID] [--count auto|N|channels] [--apply]`: label who
  spoke when; without --apply it prints the changes it would make and changes nothing.
- `earmark transcribe ... --speakers auto|N|channels` (app/cli.py): label after transcribing.
  Without the speaker model the transcription still finishes, and a line says how to get it.

Turns whose speaker a person set are never changed. Every failure is one line naming the file
and what to do (printed by app.cli.run).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli_coding import CommandError
from app.cli_projects import add_password_option, open_for_command

if TYPE_CHECKING:  # storage, audio and numpy load only when a speaker command runs
    from app.jobs import Prepared, Progress
    from app.speaker_jobs import Count
    from audio.engine import EngineSettings
    from audio.remote import EngineProcess
    from storage.project import Project
    from storage.records import TranscriptRecord

SPEAKER_COMMANDS = ("speakers",)
INSTALL = "install"
COUNT_HELP = "auto (estimate the number), a number of speakers, or channels (one speaker per channel of a stereo recording)"


def count_text(text: str) -> str:
    """argparse type: a valid --count/--speakers value, kept as text (parsed when used)."""
    from app.speaker_jobs import parse_count

    try:
        parse_count(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return text


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    speakers = commands.add_parser(
        "speakers", help="label who spoke when, offline (or `earmark speakers install` to fetch the speaker model once)",
        description="Label who spoke when in a transcript, offline. Turns whose speaker a person set are left as "
                    "they are. Without --apply the changes are only listed. `earmark speakers install` fetches "
                    "the speaker model (about 17 MB, once; the only time Earmark uses the internet for speakers).")
    speakers.add_argument("project", type=Path, help=f"the .earmark project file, or `{INSTALL}`")
    add_password_option(speakers)
    speakers.add_argument("--transcript", type=int, default=None, help="transcript id (default: the first recording's)")
    speakers.add_argument("--count", type=count_text, default="auto", help=COUNT_HELP)
    speakers.add_argument("--apply", action="store_true", help="make the changes (default: list them only)")


def add_transcribe_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--speakers", type=count_text, default=None, metavar="auto|N|channels",
                        help=f"label speakers after transcribing: {COUNT_HELP}")


def run_command(args: argparse.Namespace) -> int:
    if args.project == Path(INSTALL) and not Path(INSTALL).exists():
        return install()
    from app.speaker_jobs import label_transcript, parse_count
    from audio.diarization import DiarizationCancelled
    from storage.speaker_labels import apply_speaker_plan

    with open_for_command(args, read_only=not args.apply) as project:
        transcript = _chosen_transcript(project, args.transcript)
        print(f"Labelling speakers in {transcript.name} (transcript {transcript.id}).", file=sys.stderr)
        bar = _printer(f"{transcript.name} speakers")
        try:
            plan = label_transcript(project, transcript.id, count=parse_count(args.count), progress=bar.update)
        except (KeyboardInterrupt, DiarizationCancelled):
            bar.finish()
            print("earmark: stopped; no speaker labels were changed.", file=sys.stderr)
            return 130
        bar.finish()
        for line in plan.lines():
            print(line)
        print(plan.summary())
        if not plan.changes:
            return 0
        if not args.apply:
            print("Nothing was changed: run again with --apply to make these changes.")
            return 0
        applied = apply_speaker_plan(project, plan)
        skipped = f" ({applied.skipped} turns changed meanwhile were left alone)" if applied.skipped else ""
        print(f"Applied: {applied.changed} turns labelled, {len(applied.splits)} splits{skipped}.")
    return 0


def install() -> int:
    from audio.speaker_weights import SpeakerWeightsError, install_weights, load_weights

    try:
        print(f"The speaker model is installed: {load_weights().path}")
        return 0
    except SpeakerWeightsError:
        pass  # missing or damaged: fetch it
    print("Downloading the speaker model (Resemblyzer 0.1.4 from files.pythonhosted.org, about 17 MB).", file=sys.stderr)
    bar = _ByteBar()
    path = install_weights(progress=bar.update)
    bar.finish()
    load_weights(path)  # check what was written
    print(f"Installed the speaker model: {path}")
    return 0


def by_channel(project: Project, prepared: Prepared, speakers: str | None) -> bool:
    """Whether `earmark transcribe --speakers channels` transcribes this one channel by channel."""
    from app.speaker_jobs import CHANNELS, can_transcribe_by_channel, parse_count

    return speakers is not None and parse_count(speakers) == CHANNELS and can_transcribe_by_channel(project, prepared)


def transcribe_by_channel(project: Project, prepared: Prepared, settings: EngineSettings, on_progress: Any,
                          engine: EngineProcess | None) -> TranscriptRecord:
    """Each channel transcribed on its own (the engine started ahead serves the first). When the
    channels carry the same sound, a line says so and the recording is transcribed as usual."""
    from app import speaker_jobs
    from app.jobs import transcribe
    from audio.remote import EngineProcess

    ready = [engine] if engine is not None else []
    try:
        return speaker_jobs.transcribe_by_channel(
            project, prepared, settings, on_progress=on_progress, engine=lambda: ready.pop() if ready else EngineProcess())
    except speaker_jobs.NotOnePerChannel as error:
        print(f"{prepared.recording.media_path.name}: transcribing without speaker labels. {error}", file=sys.stderr)
        return transcribe(project, prepared, settings, on_progress=on_progress, engine=ready.pop() if ready else None)


def label_after_transcription(project: Project, transcript_id: int, speakers: str, name: str) -> None:
    """`earmark transcribe --speakers`: label and apply. A failure (no speaker model, one channel
    only) is one line; the transcript stays as transcribed."""
    from app.speaker_jobs import label_transcript, parse_count
    from audio.errors import MediaError, ModelError
    from storage.speaker_labels import apply_speaker_plan

    count: Count = parse_count(speakers)
    bar = _printer(f"{name} speakers")
    try:
        plan = label_transcript(project, transcript_id, count=count, progress=bar.update)
    except (ModelError, MediaError) as error:
        bar.finish()
        print(f"{name}: transcribed without speaker labels. {error}", file=sys.stderr)
        return
    bar.finish()
    applied = apply_speaker_plan(project, plan)
    kept = f"; {plan.by_hand} turns set by hand left as they are" if plan.by_hand else ""
    print(f"{name}: speakers {', '.join(plan.speakers) or 'none found'} ({applied.changed} turns labelled, "
          f"{len(applied.splits)} splits{kept}).", file=sys.stderr)


def _chosen_transcript(project: Project, wanted: int | None) -> TranscriptRecord:
    from storage import transcripts

    available = [t for t in transcripts.list_transcripts(project) if t.recording_id is not None]
    if not available:
        raise CommandError(f"{project.path} has no transcribed recordings: transcribe one first "
                           "(earmark transcribe FILE --project PROJECT).")
    if wanted is None:
        return available[0]
    for transcript in available:
        if transcript.id == wanted:
            return transcript
    ids = ", ".join(str(t.id) for t in available)
    raise CommandError(f"{project.path} has no transcribed recording with transcript id {wanted} (it has {ids}).")


def _printer(label: str) -> Any:
    from app.cli import _ProgressPrinter  # the transcription's bar: one look for every long job

    return _ProgressPrinter(sys.stderr, label)


class _ByteBar:
    """The download's progress: a bar, megabytes and time left, on stderr (plain lines every
    tenth when not a terminal, as the transcription's bar)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_percent = -10

    def update(self, done: int, total: int) -> None:
        from app.cli_format import progress_bar, time_left

        total = max(total, done, 1)
        fraction = done / total
        elapsed = time.monotonic() - self.started
        left = (total - done) * elapsed / done if done and elapsed > 0 else None
        percent = int(fraction * 100)
        line = (f"speaker model {progress_bar(fraction)} {percent:3d}%  {done / 1e6:.1f} of {total / 1e6:.1f} MB  "
                f"{time_left(left)}")
        if self.tty:
            sys.stderr.write("\r" + line.ljust(100))
            sys.stderr.flush()
        elif percent >= self.last_percent + 10 or percent == 100:
            self.last_percent = percent
            print(line, file=sys.stderr)

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
