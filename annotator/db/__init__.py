"""The store: SQLAlchemy 2 typed models, engine setup, migrations and the unit of work."""
