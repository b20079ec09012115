"""The ``wolfpy`` command line (typer). One module per command group in ``commands/``."""
