"""File-based routing: file names → patterns → a compiled router. Sans-IO."""
