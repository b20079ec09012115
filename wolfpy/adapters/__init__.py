"""Server adapters: the only modules that touch WSGI ``environ`` or ASGI ``scope``/``receive``/``send``."""
