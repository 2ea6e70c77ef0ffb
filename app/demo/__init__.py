"""Demo programme built from the seed documents."""
