"""View-models: plain Python state and actions behind the widgets; no Qt, no SQL."""
