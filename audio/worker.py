"""The engine process: `python -m audio.worker` (or the frozen app with --transcription-worker).

It reads one JSON request from stdin and writes JSON lines to its protocol stream: "started",
"batch" (turns with words), "done" or "error". faster-whisper's native code runs here, so a
crash in it ends this process and never the app. Standard output is pointed at stderr before
any native library loads, so nothing stray can corrupt the protocol stream.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import IO, Any

from audio.errors import EngineError, MediaError, ModelError


def serve(request: dict[str, Any], out: IO[str]) -> int:
    from audio.decode import decode
    from audio.engine import EngineSettings, Started, load_model, transcribe_samples
    from audio.models import keep_hub_offline, resolve_model

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    keep_hub_offline()
    try:
        settings = EngineSettings.from_dict(request["settings"])
        choice = resolve_model(settings.model)
        samples = decode(request["media"])
        model = load_model(choice, settings)

        def started(info: Started) -> None:
            send({"type": "started", **asdict(info), "model": choice.name})

        for batch in transcribe_samples(
            model, samples, settings, multilingual=choice.multilingual, offset=float(request.get("offset", 0.0)),
            on_start=started,
        ):
            send({
                "type": "batch",
                "covered_until": batch.covered_until,
                "turns": [
                    {"start": t.start, "end": t.end, "text": t.text,
                     "words": [[w.text, w.start, w.end, w.probability] for w in t.words]}
                    for t in batch.turns
                ],
            })
        send({"type": "done"})
        return 0
    except (MediaError, ModelError, EngineError) as error:
        send({"type": "error", "message": str(error)})
        return 1
    except MemoryError:
        send({"type": "error", "message": "Not enough memory to transcribe this recording."})
        return 1


def main() -> int:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Import the heavy parts before waiting for the request: the app starts this process
    # early, so the imports overlap its own preparation.
    from audio.models import keep_hub_offline

    keep_hub_offline()
    import faster_whisper  # noqa: F401

    import audio.engine  # noqa: F401
    line = sys.stdin.readline()
    if not line:
        return 2
    return serve(json.loads(line), protocol)


if __name__ == "__main__":
    sys.exit(main())
