"""API of the programs app: escalations."""


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
