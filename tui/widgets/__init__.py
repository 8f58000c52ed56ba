"""Widgets and widget helpers shared by the screens."""
