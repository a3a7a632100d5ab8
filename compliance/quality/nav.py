"""Navigation and dashboard widgets of the quality app (autodiscovered). Each part registers its own."""

from compliance.quality import metric_nav  # noqa: F401
