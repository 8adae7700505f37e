"""The one place Earmark's version is written; pyproject.toml and build.spec read it."""

__version__ = "0.1.0"
