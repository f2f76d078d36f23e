"""Admin of the programs app, one module per subject."""

from programs.admin import clinical, library, rules  # noqa: F401
