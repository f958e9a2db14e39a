"""*arr instances: their encrypted API keys, the connection test and the health monitor."""

__all__: list[str] = []
