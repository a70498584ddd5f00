"""The desktop UI: PySide6 widgets over view-models that are plain Python (testable without a display)."""
