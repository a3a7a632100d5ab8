from agency.navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs on every page: the user's navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.path
    items = nav_for(user)
    # Only the most specific entry is active: on /quality/autoqa/ that is Auto-QA, not also /quality/.
    matches = [url for _, url in items if url != "/" and current.startswith(url)]
    active = max(matches, key=len) if matches else None
    return {
        "nav_items": [
            {"label": item.label, "url": url, "active": url == active, "key": item.key}
            for item, url in items
        ]
    }
