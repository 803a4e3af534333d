"""Linli core."""
