"""The digital twin: the whole loop rolled forward day by day, policies scored on outcomes."""
