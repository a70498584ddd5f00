"""Use cases: import, export, listing, statistics. Each takes a store and returns core objects."""
