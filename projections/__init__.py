"""The read side: facts kept in read models, replayed into the seven projections of evidence."""
