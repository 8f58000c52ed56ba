"""What each screen reads from the read models: one function per screen that, given the projector, the cut (and the rules where it needs them) and whose screen it is, returns its rows."""
