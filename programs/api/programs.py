"""API of the programs app: programs."""


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
