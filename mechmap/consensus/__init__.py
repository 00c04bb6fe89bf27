"""Expert panels rating a map's arrows: forms, the RAND/UCLA statistics, the report."""
