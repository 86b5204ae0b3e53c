"""Moved to tests.factories (shared by every package); kept so branches still importing it keep working."""

from tests.factories import approved, corporate, individual, resident_id, uscc

__all__ = ["approved", "corporate", "individual", "resident_id", "uscc"]
