"""The aggregate SQL of the analytics figures: the same statements over the raw rows on SQLite
and PostgreSQL (repo.py), and on PostgreSQL the rollup tables where they can answer
(rollups.py)."""

from persistence.analytics.repo import SqlAnalyticsRepo

__all__ = ["SqlAnalyticsRepo"]
