"""Starting rows for __NAME__: `wolfpy db seed` runs this file, `wolfpy db reset` too.

It runs with the models bound to the project database, in one transaction (if it
fails, nothing it did is kept). Write it so it can run twice, e.g.:

    from models.post import Post

    if not Post.select().exists():
        Post.create(title="Hello", body="The first post.")
"""
