"""The navigation bar: one list, so adding a page is one line here.

Pages that are planned but not built yet stay in the list with `ready=False`: they keep their
place in the bar and appear the moment their flag flips, and until then no link can lead to a
missing page.
"""

from __future__ import annotations

from dataclasses import dataclass

from vibe_quality_searcharr.security.principal import Principal

__all__ = ["NAVIGATION", "NavItem", "NavLink", "links_for"]


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    admin_only: bool = False
    ready: bool = True


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", "/"),
    NavItem("Queues", "/queues"),
    NavItem("Library", "/library"),
    NavItem("History", "/history"),
    NavItem("Exclusions", "/exclusions"),
    NavItem("Instances", "/instances"),
    NavItem("Settings", "/settings"),
    NavItem("Logs", "/logs", admin_only=True),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str
    current: bool


def _is_current(item_path: str, path: str) -> bool:
    if item_path == "/":
        return path == "/"
    return path == item_path or path.startswith(item_path + "/")


def links_for(principal: Principal | None, path: str) -> list[NavLink]:
    """What this user sees in the bar, with the page they are on marked."""
    if principal is None:
        return []
    return [
        NavLink(item.label, item.path, _is_current(item.path, path))
        for item in NAVIGATION
        if item.ready and (not item.admin_only or principal.role == "admin")
    ]
