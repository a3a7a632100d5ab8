"""Template helpers of the page shell."""

from django import template

register = template.Library()


@register.simple_tag
def query_with(request, name: str, value) -> str:
    """The page's query string with `name` set to `value` (other filters and pages kept), URL-encoded."""
    query = request.GET.copy()
    query[name] = value
    return query.urlencode()



@register.filter
def percent(value, signed: bool = False) -> str:
    """A ratio as a percentage with one decimal ("12.5%"; "+3.0%" with `percent:True`); "—" for None."""
    if value is None or value == "":
        return "—"
    number = float(value) * 100
    return f"{number:+.1f}%" if signed else f"{number:.1f}%"
