from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from widgets.text_units import index_to_qt, qt_to_index


def test_emoji_shift_positions() -> None:
    text = "We were 😟 upset"
    assert index_to_qt(text, text.index("upset")) == text.index("upset") + 1
    assert qt_to_index(text, text.index("upset") + 1) == text.index("upset")


@given(st.text(alphabet=st.sampled_from(["a", "é", "😟", "𝄞", " ", "中"]), max_size=30), st.data())
def test_round_trip(text: str, data) -> None:  # noqa: ANN001
    index = data.draw(st.integers(0, len(text)))
    assert qt_to_index(text, index_to_qt(text, index)) == index
    assert index_to_qt(text, len(text)) == len(text.encode("utf-16-le")) // 2
