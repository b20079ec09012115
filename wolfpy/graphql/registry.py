"""The Strawberry types :func:`wolfpy.graphql.model_type` made, by type name: relations
between models refer to each other through here (``strawberry.lazy``), so the order in
which types are made does not matter."""
