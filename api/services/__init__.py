"""Query logic, one module per resource; handlers stay thin."""
