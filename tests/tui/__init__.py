"""The terminal UI driven as a person would (Pilot), snapshots of every screen."""
