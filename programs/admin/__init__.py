"""Admin of the programs app, one module per subject."""

from programs.admin import clinical, library  # noqa: F401
