"""Server-rendered pages: the shared layout, templates, static files, HTMX helpers, SSE."""
