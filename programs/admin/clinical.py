"""Admin: programs, prescriptions and check-ins."""
