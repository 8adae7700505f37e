"""The command line: `earmark transcribe`, `earmark info`, `earmark show`, `earmark models`, and the
coding commands `earmark codes`, `earmark passages`, `earmark autocode` (app/cli_coding.py), and
`earmark speakers` (app/cli_speakers.py).

Every failure prints one line naming the file and what to do, and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from app.cli_coding import CODING_COMMANDS, CommandError, add_parsers, run_coding_command
from app import cli_export
from app import cli_encryption
from app import cli_import, cli_register, cli_speakers
from app.cli_projects import add_password_option, add_project_argument, open_for_command
from app.cli_format import progress_bar, stamp, time_left
from widgets.clock import clock
from app.version import __version__
from audio.engine import MODES, EngineSettings
from audio.errors import EngineError, MediaError, ModelError
from storage.errors import ProjectError

COMMANDS = ("transcribe", "info", "show", "vocabulary", "models", *CODING_COMMANDS, *cli_export.EXPORT_COMMANDS,
            *cli_encryption.ENCRYPTION_COMMANDS, *cli_register.REGISTER_COMMANDS, *cli_import.IMPORT_COMMANDS,
            *cli_speakers.SPEAKER_COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="earmark", description="Local transcription and qualitative coding.")
    parser.add_argument("--version", action="version", version=f"earmark {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    transcribe = commands.add_parser("transcribe", help="transcribe recordings into a project, headless")
    transcribe.add_argument("media", nargs="+", type=Path, help="audio or video files")
    transcribe.add_argument("--project", required=True, type=Path, help="the .earmark file (created if missing)")
    transcribe.add_argument("--model", default="tiny.en", help="tiny.en (bundled), a model folder, or a downloaded model name")
    transcribe.add_argument("--language", default=None, help="language code such as en or de (default: detect)")
    mode = transcribe.add_mutually_exclusive_group()
    mode.add_argument("--batched", dest="mode", action="store_const", const="batched", help="batched inference (default; about twice as fast)")
    mode.add_argument("--sequential", dest="mode", action="store_const", const="sequential", help="one window at a time")
    transcribe.add_argument("--threads", type=int, default=0, help="CPU threads (default: all cores)")
    transcribe.set_defaults(mode="batched")
    cli_speakers.add_transcribe_option(transcribe)
    add_password_option(transcribe)

    info = commands.add_parser("info", help="what a project holds")
    add_project_argument(info)
    info.add_argument("--json", action="store_true", help="machine-readable output")

    show = commands.add_parser("show", help="a transcript's turns")
    add_project_argument(show)
    show.add_argument("--transcript", type=int, default=None, help="transcript id (default: the first)")
    show.add_argument("--json", action="store_true", help="also each word with start, end and probability")

    vocabulary = commands.add_parser(
        "vocabulary", help="names and terms the model should expect (passed to Whisper as hotwords)"
    )
    add_project_argument(vocabulary)
    vocabulary.add_argument("terms", nargs="*", help="terms to add, e.g. 'Community of Practice' SN1")
    vocabulary.add_argument("--clear", action="store_true", help="remove every term first")

    models = commands.add_parser("models", help="list or download Whisper models")
    models_commands = models.add_subparsers(dest="models_command", required=True)
    models_commands.add_parser("list", help="the models on this computer")
    download = models_commands.add_parser("download", help="download a model (needs internet)")
    download.add_argument("name")

    add_parsers(commands)
    cli_export.add_parsers(commands)
    cli_encryption.add_parsers(commands)
    cli_register.add_parsers(commands)
    cli_import.add_parsers(commands)
    cli_speakers.add_parsers(commands)
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "transcribe":
            return _transcribe(args)
        if args.command == "info":
            return _info(args)
        if args.command == "show":
            return _show(args)
        if args.command == "vocabulary":
            return _vocabulary(args)
        if args.command in CODING_COMMANDS:
            return run_coding_command(args)
        if args.command in cli_export.EXPORT_COMMANDS:
            return cli_export.run_command(args)
        if args.command in cli_encryption.ENCRYPTION_COMMANDS:
            return cli_encryption.run_command(args)
        if args.command in cli_register.REGISTER_COMMANDS:
            return cli_register.run_command(args)
        if args.command in cli_import.IMPORT_COMMANDS:
            return cli_import.run_command(args)
        if args.command in cli_speakers.SPEAKER_COMMANDS:
            return cli_speakers.run_command(args)
        return _models(args)
    except (ProjectError, MediaError, ModelError, EngineError, CommandError) as error:
        print(f"earmark: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nearmark: stopped; what was transcribed is saved and the next run resumes.", file=sys.stderr)
        return 130


def _transcribe(args: argparse.Namespace) -> int:
    from audio.decode import probe
    from audio.models import resolve_model
    from audio.remote import EngineProcess

    # Check every input before touching the project, so bad input changes nothing.
    for media in args.media:
        probe(media)
    resolve_model(args.model)
    settings = EngineSettings(model=args.model, language=args.language, mode=args.mode, cpu_threads=args.threads)
    engine = EngineProcess()  # warms up while the project opens and the file is hashed
    try:
        return _transcribe_all(args, settings, engine)
    finally:
        engine.close()


def _transcribe_all(args: argparse.Namespace, settings: EngineSettings, engine: Any) -> int:
    from app.jobs import prepare, transcribe
    with open_for_command(args, create_missing=True) as project:
        if project.read_only:
            raise ProjectError(f"{project.path} is open read-only ({project.read_only_reason}); cannot transcribe into it.")
        for media in args.media:
            prepared = prepare(project, media)
            if prepared.transcript.status == "done":
                print(f"{media}: already transcribed (transcript {prepared.transcript.id}).", file=sys.stderr)
                if args.speakers is not None:
                    cli_speakers.label_after_transcription(project, prepared.transcript.id, args.speakers, media.name)
                continue
            if prepared.transcript.transcribed_until > 0:
                print(f"{media}: resuming at {clock(prepared.transcript.transcribed_until)}.", file=sys.stderr)
            bar = _ProgressPrinter(sys.stderr, media.name)
            channels = cli_speakers.by_channel(project, prepared, args.speakers)
            if channels:  # one speaker per channel: each channel transcribed on its own, exact
                result = cli_speakers.transcribe_by_channel(project, prepared, settings, bar.update, engine)
            else:
                result = transcribe(project, prepared, settings, on_progress=bar.update, engine=engine)
            engine = None  # used up; the next file starts its own
            bar.finish()
            print(f"{media}: transcript {result.id}, {result.segment_count} turns, {result.word_count} words.", file=sys.stderr)
            if args.speakers is not None and not channels:
                cli_speakers.label_after_transcription(project, result.id, args.speakers, media.name)
    return 0


class _ProgressPrinter:
    """A one-line progress bar with time left; plain lines when not writing to a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream, self.label = stream, label
        self.tty = stream.isatty()
        self._last_percent = -10

    def update(self, progress: Any) -> None:
        percent = int(progress.fraction * 100)
        line = (
            f"{self.label} {progress_bar(progress.fraction)} {percent:3d}%  "
            f"{clock(progress.covered)} of {clock(progress.duration)}  {time_left(progress.seconds_left)}"
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
            self.stream.flush()
        elif percent >= self._last_percent + 10 or percent == 100:
            self._last_percent = percent
            print(line, file=self.stream)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _info(args: argparse.Namespace) -> int:
    from storage.summary import summarise

    with open_for_command(args, read_only=True) as project:
        summary = summarise(project)
    data = {
        "path": str(summary.path),
        "schema_revision": summary.schema_revision,
        "encrypted": project.encrypted,
        "recordings": [
            {"id": r.id, "path": str(r.media_path), "duration": r.duration, "channels": r.channels,
             "sample_rate": r.sample_rate, "audio_deleted": r.audio_deleted}
            for r in summary.recordings
        ],
        "transcripts": [
            {"id": t.id, "name": t.name, "recording_id": t.recording_id, "status": t.status, "language": t.language,
             "model": t.model, "transcribed_until": t.transcribed_until, "segments": t.segment_count,
             "words": t.word_count, "error": t.error}
            for t in summary.transcripts
        ],
        "speakers": list(summary.speakers),
        **summary.counts,
    }
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"{data['path']} (schema {data['schema_revision']}{', encrypted' if data['encrypted'] else ''})")
    print(f"recordings: {len(data['recordings'])}")
    for r in data["recordings"]:
        print(f"  {r['id']}: {r['path']} ({clock(r['duration'])}, {r['channels']} ch, {r['sample_rate']} Hz)")
    print(f"transcripts: {len(data['transcripts'])}")
    for t in data["transcripts"]:
        print(f"  {t['id']}: {t['name']} [{t['status']}] {t['segments']} turns, {t['words']} words, language {t['language'] or '?'}")
    print(f"speakers: {', '.join(data['speakers']) or 'none'}")
    for key in ("codes", "codings", "memos", "participants", "meetings"):
        print(f"{key}: {data[key]}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from storage import transcripts
    with open_for_command(args, read_only=True) as project:
        available = transcripts.list_transcripts(project)
        if not available:
            raise ProjectError(f"{project.path} has no transcripts yet.")
        chosen = args.transcript if args.transcript is not None else available[0].id
        if chosen not in {t.id for t in available}:
            ids = ", ".join(str(t.id) for t in available)
            raise ProjectError(f"{project.path} has no transcript {chosen} (it has {ids}).")
        transcript = transcripts.get_transcript(project, chosen)
        turns = transcripts.segments(project, chosen)
    if args.json:
        print(json.dumps({
            "transcript": {"id": transcript.id, "name": transcript.name, "status": transcript.status,
                           "language": transcript.language, "model": transcript.model},
            "turns": [
                {"speaker": s.speaker, "speaker_by_hand": s.speaker_by_hand, "start": s.start, "end": s.end,
                 "text": s.text, "words": [{**w._asdict(), "speaker": s.speaker} for w in s.words]}
                for s in turns
            ],
        }, indent=2, ensure_ascii=False))
        return 0
    for s in turns:
        print(f"[{stamp(s.start)} - {stamp(s.end)}] {s.speaker or '-'}: {s.text}")
    return 0


def _vocabulary(args: argparse.Namespace) -> int:
    from storage.settings import VOCABULARY, set_setting, vocabulary

    with open_for_command(args) as project:
        terms = [] if args.clear else list(vocabulary(project))
        terms += [term.strip() for term in args.terms if term.strip() and term.strip() not in terms]
        if args.clear or args.terms:
            set_setting(project, VOCABULARY, terms)
    print("\n".join(terms) if terms else "(no vocabulary)")
    return 0


def _models(args: argparse.Namespace) -> int:
    from audio.models import BUNDLED_NAME, bundled_model_path, download_model, models_dir

    if args.models_command == "download":
        choice = download_model(args.name)
        print(f"{choice.name}: downloaded to {choice.path}")
        return 0
    print(f"{BUNDLED_NAME} (bundled): {bundled_model_path()}")
    folder = models_dir()
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if (path / "model.bin").is_file():
            print(f"{path.name}: {path}")
    return 0
