"""REST API of the registry: households, members and their yearly facts (``/api/households/``, ``/api/members/``)."""

from .views import HouseholdViewSet, MemberViewSet

__all__ = ["HouseholdViewSet", "MemberViewSet"]
