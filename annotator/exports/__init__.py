"""One module per exchange format: ``write_*`` and, where the format allows, ``read_*``."""
