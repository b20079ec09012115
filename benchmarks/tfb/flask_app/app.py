"""The Flask peer: SQLAlchemy's ORM (a scoped session per request, removed at teardown,
as Flask's "SQLAlchemy in Flask" pattern does) on psycopg2, Jinja2 for fortunes."""
import os
from random import randint, sample

from flask import Flask, jsonify, render_template, request
from sqlalchemy import Integer, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker

POOL_SIZE = int(os.environ.get("TFB_POOL_SIZE", "4"))

engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1),
                       pool_size=POOL_SIZE, max_overflow=0)
db_session = scoped_session(sessionmaker(bind=engine))


class Base(DeclarativeBase):
    pass


class World(Base):
    __tablename__ = "world"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    randomnumber: Mapped[int] = mapped_column(Integer)

    def to_dict(self):
        return {"id": self.id, "randomNumber": self.randomnumber}


class Fortune(Base):
    __tablename__ = "fortune"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(Text)


app = Flask(__name__)


@app.teardown_appcontext
def shutdown_session(exception=None):
    db_session.remove()


def query_count():
    try:
        n = int(request.args.get("queries", "1"))
    except ValueError:
        return 1
    return min(max(n, 1), 500)


@app.get("/json")
def json():
    return jsonify(message="Hello, World!")


@app.get("/plaintext")
def plaintext():
    return b"Hello, World!", {"Content-Type": "text/plain"}


@app.get("/db")
def db():
    return jsonify(db_session.get(World, randint(1, 10000)).to_dict())


@app.get("/queries")
def queries():
    return jsonify([db_session.get(World, randint(1, 10000)).to_dict() for _ in range(query_count())])


@app.get("/updates")
def updates():
    ids = sorted(sample(range(1, 10001), query_count()))
    worlds = [db_session.get(World, i) for i in ids]
    for w in worlds:
        w.randomnumber = randint(1, 10000)
    db_session.commit()  # the unit of work sends the UPDATEs as one executemany batch
    return jsonify([w.to_dict() for w in worlds])


@app.get("/fortunes")
def fortunes():
    fortunes = list(db_session.scalars(select(Fortune)))
    fortunes.append(Fortune(id=0, message="Additional fortune added at request time."))
    fortunes.sort(key=lambda f: f.message)
    return render_template("fortunes.html", fortunes=fortunes)
