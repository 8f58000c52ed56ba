"""The bitemporal cut of the facts, the world replayed to T, and what every projection computes from."""
