"""Keyboard shortcuts, declared once with their defaults and overridable in Settings.

Transcribers keep their hands on the keyboard (and their feet on a pedal): every playback
command works while the cursor is in the text. Foot pedals that send key presses are mapped
by giving the pedal's key to an action in Help → Keyboard Shortcuts.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class Shortcut:
    id: str
    title: str
    defaults: tuple[str, ...]
    group: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("play_pause", "Play / pause", ("Ctrl+Space", "F9"), "Playback"),
    Shortcut("skip_back", "Skip back", ("Alt+Left", "F7"), "Playback"),
    Shortcut("skip_forward", "Skip forward", ("Alt+Right", "F8"), "Playback"),
    Shortcut("slower", "Slower", ("Alt+Down",), "Playback"),
    Shortcut("faster", "Faster", ("Alt+Up",), "Playback"),
    Shortcut("loop_turn", "Loop the current turn", ("Ctrl+L",), "Playback"),
    Shortcut("follow", "Follow playback on/off", ("F6",), "Playback"),
    Shortcut("undo", "Undo", ("Ctrl+Z",), "Editing"),
    Shortcut("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Editing"),
    Shortcut("merge_next", "Merge with next turn", ("Ctrl+Shift+M",), "Editing"),
    Shortcut("set_speaker", "Set turn speaker", ("Ctrl+Shift+S",), "Editing"),
    Shortcut("note_pause", "Insert (pause)", ("Ctrl+Shift+P",), "Editing"),
    Shortcut("note_laughs", "Insert (laughs)", ("Ctrl+Shift+L",), "Editing"),
    Shortcut("note_crosstalk", "Insert (crosstalk)", ("Ctrl+Shift+C",), "Editing"),
    Shortcut("note_inaudible", "Insert [inaudible time]", ("Ctrl+Shift+I",), "Editing"),
    Shortcut("note_free", "Insert a free note", ("Ctrl+Shift+N",), "Editing"),
    Shortcut("insert_time", "Insert the current time", ("Ctrl+;",), "Editing"),
    Shortcut("find", "Find and replace", ("Ctrl+F",), "Editing"),
    Shortcut("find_all", "Find in all transcripts", ("Ctrl+Shift+F",), "Editing"),
    Shortcut("quick_code", "Quick code: type a code name to apply", ("Ctrl+K",), "Coding"),
    Shortcut("apply_last_code", "Apply the last used code again", ("Ctrl+Shift+K",), "Coding"),
    Shortcut("remove_code", "Remove a code from the passage", ("Ctrl+Alt+K",), "Coding"),
    Shortcut("new_code", "New code", ("Ctrl+Alt+N",), "Coding"),
    Shortcut("play_passage", "Play the coded passage at the cursor", ("Ctrl+Shift+Space",), "Coding"),
    Shortcut("memo", "Memo on the passage, turn or code", ("Ctrl+M",), "Coding"),
    Shortcut("retrieve", "Coded passages of a code", ("Ctrl+R",), "Analysis"),
    Shortcut("matrix", "Code matrix", ("Ctrl+Shift+X",), "Analysis"),
    Shortcut("search", "Search transcripts and memos", ("Ctrl+Alt+F",), "Analysis"),
    Shortcut("diary", "Research diary", ("Ctrl+Shift+D",), "Analysis"),
    Shortcut("autocode", "Auto-code matches or a speaker", ("Ctrl+Shift+U",), "Analysis"),
    Shortcut("transcribe", "Transcribe or resume", ("Ctrl+T",), "Transcription"),
    Shortcut("cancel", "Cancel transcription", ("Esc",), "Transcription"),
    Shortcut("add_recording", "Add a recording", ("Ctrl+Shift+A",), "Files"),
    Shortcut("import_transcript", "Import a transcript file (SRT, VTT, NVivo…)", ("Ctrl+Shift+O",), "Files"),
    Shortcut("export_transcript", "Export transcripts (Word, text, subtitles…)", ("Ctrl+Shift+E",), "Files"),
    Shortcut("report_passages", "Report of coded passages", ("Ctrl+Shift+R",), "Analysis"),
    Shortcut("shortcuts", "Keyboard shortcuts", ("F1",), "Help"),
)
BY_ID = {shortcut.id: shortcut for shortcut in SHORTCUTS}
FIXED_KEYS = ("Return: split the turn at the cursor", "Backspace at a turn's start: merge it with the previous turn",
              "Delete at a turn's end: merge the next turn into it", "Ctrl+click on a word: play from it",
              "Click a time in the left margin: play from that turn")


def keys_for(shortcut_id: str) -> list[QKeySequence]:
    stored = QSettings().value(f"shortcuts/{shortcut_id}")
    texts = BY_ID[shortcut_id].defaults if stored is None else [t for t in str(stored).split(";") if t]
    return [QKeySequence(text) for text in texts]


def save_keys(shortcut_id: str, keys: list[str]) -> None:
    if list(keys) == list(BY_ID[shortcut_id].defaults):
        QSettings().remove(f"shortcuts/{shortcut_id}")
    else:
        QSettings().setValue(f"shortcuts/{shortcut_id}", ";".join(keys))


class ShortcutBinder:
    """Gives actions their keys from the settings and re-applies them after a change."""

    def __init__(self) -> None:
        self.actions: dict[str, QAction] = {}

    def bind(self, action: QAction, shortcut_id: str) -> QAction:
        self.actions[shortcut_id] = action
        # Window-wide, so the keys work while the cursor is in the transcript.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setShortcuts(keys_for(shortcut_id))
        return action

    def reapply(self) -> None:
        for shortcut_id, action in self.actions.items():
            action.setShortcuts(keys_for(shortcut_id))

    def conflicts(self) -> list[tuple[str, str, str]]:
        """(key, first action, second action) for keys given to two actions."""
        seen: dict[str, str] = {}
        clashes = []
        for shortcut_id in self.actions:
            for key in keys_for(shortcut_id):
                text = key.toString()
                if text in seen and seen[text] != shortcut_id:
                    clashes.append((text, BY_ID[seen[text]].title, BY_ID[shortcut_id].title))
                seen.setdefault(text, shortcut_id)
        return clashes
