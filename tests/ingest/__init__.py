"""Reports and hand-made keys for the extractor's tests."""
