"""Projections: the hand-checked scenario, properties on random streams, the engine, exports, rules."""
