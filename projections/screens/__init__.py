"""What each screen reads: one function per screen that takes the projector, the rules, the cut and whose screen it is, and returns its rows."""
