"""Pages of the quality app. Response metrics, the merchant's quality view, reports: `metrics`."""
