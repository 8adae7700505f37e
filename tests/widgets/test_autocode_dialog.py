"""The Auto-code dialog on its own: it asks for previews as the user types, shows what it is
given, says what is wrong with a pattern, and only lets Apply code something sensible."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from storage.analysis_records import Anchor, AutocodeMatch, CodeRecord
from widgets.autocode_dialog import AutocodeDialog, AutocodeOptions, MatchContext

CODES = [
    CodeRecord(1, "g1", None, 0, "Learning", "#f4c542", "", 0, 1, 3),
    CodeRecord(2, "g2", 1, 0, "Cross-organisational learning", "#6fbf73", "", 1, 1, 2),
    CodeRecord(3, "g3", 2, 0, "Reviewing discharge procedures", "#64b5f6", "", 2, 1, 1),
    CodeRecord(4, "g4", None, 1, "Partnership", "#f48fb1", "", 0, 1, 1),
]
SPEAKERS = ["CG", "OT", "SN1", "SW"]


def match(transcript_id: int, segment_id: int, text: str, speaker: str = "SN1", start: int = 0) -> AutocodeMatch:
    return AutocodeMatch(transcript_id, f"M0{transcript_id}", speaker, Anchor(segment_id, start),
                         Anchor(segment_id, start + len(text)), text)


MATCHES = [match(1, 10, "The learning was huge!", "SW", 31), match(2, 20, "Learning from each other helps."),
           match(2, 20, "Learning, always.", start=32)]


@pytest.fixture
def dialog(qtbot):  # noqa: ANN001, ANN201
    dialog = AutocodeDialog(CODES, SPEAKERS, transcript_name="M01 Starting up")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_typing_asks_for_one_preview_once_typing_pauses(dialog: AutocodeDialog, qtbot) -> None:  # noqa: ANN001
    asked: list[AutocodeOptions] = []
    dialog.preview_requested.connect(asked.append)
    dialog.set_scope("sentence")
    asked.clear()
    with qtbot.waitSignal(dialog.preview_requested, timeout=5000):
        qtbot.keyClicks(dialog.pattern, "learning")
    assert len(asked) == 1, "one preview for the whole word, not one per key"
    assert asked[0] == AutocodeOptions(mode="pattern", pattern="learning", regex=False, whole_words=True,
                                       match_case=False, scope="sentence", speaker="CG", everywhere=False)


def test_preview_lists_the_matches_and_counts_them(dialog: AutocodeDialog) -> None:
    dialog.code.setEditText("Learning")
    dialog.pattern.setText("learning")
    contexts = [MatchContext(10.0, "That was a shock for everyone. ", "", already_coded=True),
                MatchContext(1.0, "", " Learning, always."), MatchContext(2.5, "Learning from each other helps. ", "")]
    dialog.show_preview(MATCHES, None, contexts=contexts, already_coded=1)
    assert dialog.count.text() == "3 passages in 2 transcripts; 1 already coded with this code"
    assert dialog.model.rowCount() == 3
    model = dialog.model
    assert [model.index(0, column).data() for column in range(3)] == ["M01", "SW", "00:10"]
    assert model.index(0, 3).data() == "That was a shock for everyone. The learning was huge!"
    assert "<b>The learning was huge!</b>" in model.index(0, 3).data(model.HTML_ROLE)
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is not None, "already coded rows are greyed"
    assert model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert dialog.apply_button.text() == "Code 2 passages" and dialog.apply_button.isEnabled()


def test_a_bad_regex_shows_its_message_in_red_and_disables_apply(dialog: AutocodeDialog) -> None:
    dialog.code.setEditText("Learning")
    dialog.regex.setChecked(True)
    dialog.pattern.setText("learn(ing")
    dialog.show_preview(MATCHES, None)
    assert dialog.apply_button.isEnabled()
    message = "Not a valid regular expression: 'learn(ing' (missing ), unterminated subpattern at position 5)"
    dialog.show_preview([], message)
    assert dialog.error.isVisible() and dialog.error.text() == message
    assert "color: #b00020" in dialog.error.styleSheet()
    assert not dialog.apply_button.isEnabled()
    assert dialog.model.rowCount() == 0
    dialog.show_preview(MATCHES, None)
    assert not dialog.error.isVisible() and dialog.apply_button.isEnabled()


def test_apply_needs_a_code_and_something_new_to_code(dialog: AutocodeDialog, qtbot) -> None:  # noqa: ANN001
    dialog.pattern.setText("learning")
    dialog.show_preview(MATCHES, None)
    assert not dialog.apply_button.isEnabled(), "no code chosen"
    dialog.code.setEditText("lessons learnt")
    dialog.show_preview(MATCHES, None)
    assert dialog.apply_button.text() == "Code 3 passages" and dialog.apply_button.isEnabled()
    dialog.show_preview(MATCHES, None, already_coded=3)
    assert not dialog.apply_button.isEnabled(), "everything found is coded already"
    dialog.show_preview([], None)
    assert dialog.count.text() == "No passages found." and not dialog.apply_button.isEnabled()


def test_apply_sends_the_options_with_the_code_typed_or_picked(dialog: AutocodeDialog, qtbot) -> None:  # noqa: ANN001
    dialog.pattern.setText("learning")
    dialog.code.setEditText("  lessons   learnt ")
    dialog.show_preview(MATCHES, None)
    dialog._timer.stop()
    with qtbot.waitSignal(dialog.apply_requested) as applied:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args[0].code_id is None and applied.args[0].code_name == "lessons learnt"
    dialog.code.setCurrentIndex(2)
    assert dialog.code.currentText() == "Reviewing discharge procedures", "the field shows the bare name"
    assert dialog.options().code_id == 3
    dialog.code.setEditText("partnership")
    assert dialog.options().code_id == 4, "a typed name finds its code whatever the case"


def test_the_code_list_is_indented_as_the_tree(dialog: AutocodeDialog) -> None:
    from PySide6.QtWidgets import QStyleOptionViewItem

    view = dialog.code.view()
    option = QStyleOptionViewItem()
    delegate = view.itemDelegate()
    delegate.initStyleOption(option, dialog.code.model().index(2, 0))
    assert option.text == "        Reviewing discharge procedures"


def test_speaker_mode_asks_for_a_speakers_turns(dialog: AutocodeDialog, qtbot) -> None:  # noqa: ANN001
    dialog.code.setEditText("SN1 turns")
    with qtbot.waitSignal(dialog.preview_requested) as asked:
        dialog.tabs.setCurrentIndex(1)
    assert asked.args[0].mode == "speaker" and asked.args[0].speaker == "CG"
    with qtbot.waitSignal(dialog.preview_requested) as asked:
        dialog.speaker.setCurrentText("SN1")
    assert asked.args[0].speaker == "SN1"
    with qtbot.waitSignal(dialog.preview_requested) as asked:
        dialog.all_transcripts.setChecked(True)
    assert asked.args[0].everywhere
    dialog.show_preview(MATCHES[1:], None)
    assert dialog.count.text() == "2 passages in 1 transcript; 0 already coded with this code"
    assert dialog.apply_button.text() == "Code 2 passages"


def test_no_transcript_shown_means_all_transcripts(qtbot) -> None:  # noqa: ANN001
    dialog = AutocodeDialog(CODES, SPEAKERS, transcript_name=None)
    qtbot.addWidget(dialog)
    assert not dialog.this_transcript.isEnabled() and dialog.options().everywhere


def test_an_empty_pattern_asks_for_nothing(dialog: AutocodeDialog, qtbot) -> None:  # noqa: ANN001
    asked: list[AutocodeOptions] = []
    dialog.preview_requested.connect(asked.append)
    dialog.pattern.setText("x")
    dialog.pattern.clear()
    dialog.request_preview()
    assert asked == []
    assert dialog.count.text().startswith("Type a word")
