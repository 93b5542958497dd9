"""Data quality: six asset checks of our own, and the log of every check result for the API."""
