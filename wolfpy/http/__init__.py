"""Sans-IO HTTP: Request, Response, headers, forms, cookies. Never sees environ or scope."""
