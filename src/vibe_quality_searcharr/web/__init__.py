"""Server-rendered pages: the shared layout, templates and static files."""
