"""A small JSON summary for Homepage-style dashboards (`GET /api/v1/widget`)."""
