"""API of the programs app: caseload."""


def register(router) -> None:
    """Add this module's viewsets to the /api/v1/ router."""
