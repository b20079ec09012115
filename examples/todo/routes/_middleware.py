"""One database connection per request, closed afterwards."""
from models.todo import db, ensure_database


def middleware(request, call_next):
    ensure_database()
    with db.connection_context():
        return call_next(request)
