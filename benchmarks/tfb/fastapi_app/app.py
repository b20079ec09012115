"""The FastAPI peer: async handlers on an asyncpg pool (one per worker, opened at
startup), Jinja2 through Starlette's ``Jinja2Templates`` for fortunes."""
import os
from contextlib import asynccontextmanager
from pathlib import Path
from random import randint, sample

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.templating import Jinja2Templates

POOL_SIZE = int(os.environ.get("TFB_POOL_SIZE", "4"))
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
pool: asyncpg.Pool


@asynccontextmanager
async def lifespan(app):
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=POOL_SIZE)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)

WORLD = "SELECT id, randomnumber FROM world WHERE id = $1"


def query_count(queries):
    try:
        n = int(queries)
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), 500)


@app.get("/json")
async def json():
    return {"message": "Hello, World!"}


@app.get("/plaintext")
async def plaintext():
    return PlainTextResponse(b"Hello, World!")


@app.get("/db")
async def db():
    async with pool.acquire() as conn:
        row = await conn.fetchrow(WORLD, randint(1, 10000))
    return {"id": row["id"], "randomNumber": row["randomnumber"]}


@app.get("/queries")
async def queries(queries: str | None = None):
    n = query_count(queries)
    async with pool.acquire() as conn:
        stmt = await conn.prepare(WORLD)
        rows = [await stmt.fetchrow(randint(1, 10000)) for _ in range(n)]
    return [{"id": r["id"], "randomNumber": r["randomnumber"]} for r in rows]


@app.get("/updates")
async def updates(queries: str | None = None):
    ids = sorted(sample(range(1, 10001), query_count(queries)))
    async with pool.acquire() as conn:
        stmt = await conn.prepare(WORLD)
        worlds = [{"id": (await stmt.fetchrow(i))["id"], "randomNumber": randint(1, 10000)} for i in ids]
        await conn.executemany("UPDATE world SET randomnumber = $1 WHERE id = $2",
                               [(w["randomNumber"], w["id"]) for w in worlds])
    return worlds


@app.get("/fortunes")
async def fortunes(request: Request):
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, message FROM fortune")
    fortunes = [(r["id"], r["message"]) for r in rows]
    fortunes.append((0, "Additional fortune added at request time."))
    fortunes.sort(key=lambda f: f[1])
    return templates.TemplateResponse(request, "fortunes.html",
                                      {"fortunes": [{"id": i, "message": m} for i, m in fortunes]})
