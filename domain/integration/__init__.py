"""Integration with other systems: API keys and their scopes, external ids, and the upsert by
external id that syncing systems call."""
