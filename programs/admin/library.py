"""Admin: exercise library and escalations."""
