"""Live price consumer: provider adapters → normalised ticks → Redis pub/sub + latest-price hash."""
