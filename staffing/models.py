"""Training, certification, forecasts, seasonal plans, rosters and shifts."""
