"""Plenary assembly: sessions, presence, proxies, resolutions and online votes."""
