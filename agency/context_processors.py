from agency.navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs on every page: the user's navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.path
    return {
        "nav_items": [
            {"label": item.label, "url": url, "active": url != "/" and current.startswith(url), "key": item.key}
            for item, url in nav_for(user)
        ]
    }
