"""PyInstaller's entry script for the frozen Earmark (see build.spec).

The frozen executable runs this file as `__main__`; it only hands over to the console
script's function, so `earmark ARGS` behaves the same installed from a wheel or frozen,
including `earmark --transcription-worker`, which audio/remote.py starts as the engine process.
"""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
