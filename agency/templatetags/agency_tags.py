"""Template helpers of the page shell."""

from django import template

register = template.Library()


@register.simple_tag
def query_with(request, name: str, value) -> str:
    """The page's query string with `name` set to `value` (other filters and pages kept), URL-encoded."""
    query = request.GET.copy()
    query[name] = value
    return query.urlencode()

