"""Analytics: figure definitions, periods and buckets in the configured zone, who sees which
figures, and the trend-alert rules. Pure: the SQL that counts lives in persistence/analytics/."""
