"""Pure core: text, offsets, tokens, snapping, schema, model. No Qt, no SQLAlchemy."""
