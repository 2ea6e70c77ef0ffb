"""Steering-committee elections."""
