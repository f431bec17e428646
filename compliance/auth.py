"""Who may use each route. Every view declares it; a test walks the URL map to prove it."""
from __future__ import annotations

from collections.abc import Callable

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Anyone may use this route, signed in or not."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def access_of(view: Callable) -> str | None:
    """What a view declared, or None when it declared nothing."""
    return getattr(view, "access", None)


def undeclared_endpoints(app) -> list[str]:
    """Endpoints whose view declares no access rule."""
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if access_of(app.view_functions[rule.endpoint]) is None
    )
