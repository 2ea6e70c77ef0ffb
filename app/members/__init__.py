"""Member organisations, colleges, representatives and the charter."""
