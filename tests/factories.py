"""Test factories: the same factories that make the demo data (crm/factories.py)."""

from crm.factories import ContactFactory, MembershipFactory, OrganisationFactory

__all__ = ["ContactFactory", "MembershipFactory", "OrganisationFactory"]
