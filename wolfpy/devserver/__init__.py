"""The development server: a watcher process that restarts a serving child on code changes."""
