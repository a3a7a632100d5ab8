from agency.navigation import grouped_nav


def shell(request) -> dict:
    """What the page shell needs on every page: the user's sidebar, grouped by job, one entry highlighted
    (`nav_sections`), and the same entries as one flat list (`nav_items`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_items": []}
    match = getattr(request, "resolver_match", None)
    sections = grouped_nav(user, path=request.path, view_name=match.view_name if match else None)
    return {"nav_sections": sections, "nav_items": [item for section in sections for item in section["items"]]}
