"""The aggregate SQL of the analytics figures, the same statements on SQLite and PostgreSQL."""

from persistence.analytics.repo import SqlAnalyticsRepo

__all__ = ["SqlAnalyticsRepo"]
