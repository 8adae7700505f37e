"""The speaker model's weights for the speaker-labelling tests.

They are never committed: `earmark speakers install` fetches them into the user's data folder,
and CI installs them and names the file in EARMARK_SPEAKER_WEIGHTS. The tests sandbox the data
folder (tests/conftest.py), so only that variable reaches an installed copy; without it the
tests that need the weights skip and say how to get them.
"""

from __future__ import annotations

import pytest

from audio.speaker_weights import SpeakerWeights, SpeakerWeightsError, default_weights_path, load_weights


@pytest.fixture(scope="session")
def speaker_weights() -> SpeakerWeights:
    path = default_weights_path()
    if not path.is_file():
        pytest.skip(
            f"speaker weights not installed ({path}): run `earmark speakers install` and set "
            "EARMARK_SPEAKER_WEIGHTS to the .npz it writes"
        )
    try:
        return load_weights(path)
    except SpeakerWeightsError as error:
        pytest.fail(str(error))
