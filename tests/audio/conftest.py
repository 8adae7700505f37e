"""The speaker model's weights for the speaker-labelling tests.

They are never committed: `earmark speakers install` fetches them into the user's data folder,
and CI names its copy in EARMARK_SPEAKER_WEIGHTS. The tests sandbox the data folder, so
tests/conftest.py names the user's installed copy in that variable before hiding it; without
weights the tests that need them skip and say how to get them.
"""

from __future__ import annotations

import pytest

from audio.speaker_weights import SpeakerWeights, SpeakerWeightsError, load_weights
from tests.conftest import installed_speaker_weights


@pytest.fixture(scope="session")
def speaker_weights() -> SpeakerWeights:
    path = installed_speaker_weights()
    try:
        return load_weights(path)
    except SpeakerWeightsError as error:
        pytest.fail(str(error))
