"""Steering-committee elections: candidacies, the constrained count, substitutes and mandates."""
