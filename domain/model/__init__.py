"""The write model: aggregates, validation rules, times and cut-offs, retraction chains, recording one entry."""
