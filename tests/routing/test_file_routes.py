"""docs/routing.md: every file-routing rule, over HTTP, under WSGI and ASGI."""
from __future__ import annotations

import pytest

ROUTES = {
    "routes/index.py": "def get(request):\n    return 'home'\n",
    "routes/about.py": "def get(request):\n    return 'about'\n",
    "routes/posts/index.py": "def get(request):\n    return 'posts'\n",
    "routes/posts/new.py": "def get(request):\n    return 'new post form'\n",
    "routes/posts/[id].py": "def get(request, id: int):\n    return {'id': id, 'type': type(id).__name__}\n",
    "routes/posts/[id]/edit.py": "def get(request, id):\n    return f'edit {id!r}'\n",
    "routes/files/[...path].py": "def get(request, path):\n    return {'path': path}\n",
    "routes/parts/[...parts].py": "def get(request, parts: list[str]):\n    return {'parts': parts}\n",
    "routes/wiki/[[...page]].py": "def get(request, page: str):\n    return {'page': page}\n",
    "routes/(marketing)/pricing.py": "def get(request):\n    return 'pricing'\n",
    "routes/(marketing)/team/index.py": "def get(request):\n    return 'team'\n",
    "routes/_helpers.py": "GREETING = 'hello from a private helper'\n",
    "routes/_lib/util.py": "def get(request):\n    return 'must never be routed'\n",
    "routes/greet.py": "from routes._helpers import GREETING\ndef get(request):\n    return GREETING\n",
    "routes/u/[uid].py": "import uuid\ndef get(request, uid: uuid.UUID):\n    return {'uid': str(uid)}\n",
    "routes/price/[amount].py": "def get(request, amount: float):\n    return {'amount': amount}\n",
}


@pytest.fixture
def client(client_for):
    return client_for(ROUTES)


@pytest.mark.parametrize("url, body", [
    ("/", "home"),
    ("/about", "about"),
    ("/posts", "posts"),
    ("/posts/new", "new post form"),       # static beats dynamic
    ("/posts/7/edit", "edit '7'"),         # unannotated: the text
    ("/pricing", "pricing"),               # (group) adds no segment
    ("/team", "team"),
    ("/greet", "hello from a private helper"),
])
def test_static_and_nested_files(client, url, body):
    r = client.get(url)
    assert r.status_code == 200
    assert r.text == body
    assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_dynamic_segment_with_int_annotation(client):
    assert client.get("/posts/42").json() == {"id": 42, "type": "int"}


@pytest.mark.parametrize("bad", ["abc", "4.2", "%204", "4_2", "٤", "99999999999999999999999999999999999"])
def test_value_that_does_not_convert_is_404(client, bad):
    assert client.get(f"/posts/{bad}").status_code == 404


def test_uuid_and_float_annotations(client):
    uid = "12345678-1234-5678-1234-567812345678"
    assert client.get(f"/u/{uid}").json() == {"uid": uid}
    assert client.get("/u/not-a-uuid").status_code == 404
    assert client.get("/price/2.5").json() == {"amount": 2.5}
    assert client.get("/price/nan").status_code == 404
    assert client.get("/price/inf").status_code == 404


def test_catch_all_needs_one_or_more_segments(client):
    assert client.get("/files/a").json() == {"path": "a"}
    assert client.get("/files/a/b/c.txt").json() == {"path": "a/b/c.txt"}
    assert client.get("/files").status_code == 404


def test_catch_all_as_list_keeps_encoded_slash_inside_a_segment(client):
    assert client.get("/parts/a%2Fb/c").json() == {"parts": ["a/b", "c"]}


def test_optional_catch_all_matches_zero_or_more(client):
    assert client.get("/wiki").json() == {"page": ""}
    assert client.get("/wiki/Main/Page").json() == {"page": "Main/Page"}


def test_private_files_and_folders_are_not_routes(client):
    assert client.get("/_helpers").status_code == 404
    assert client.get("/_lib/util").status_code == 404
    assert client.get("/lib/util").status_code == 404


def test_group_name_is_not_a_url_segment(client):
    assert client.get("/(marketing)/pricing").status_code == 404
    assert client.get("/marketing/pricing").status_code == 404


def test_segment_decoded_exactly_once(client):
    # %2F stays inside the value; %25 decodes to a literal % and is not decoded again.
    assert client.get("/posts/1%2F2/edit").text == "edit '1/2'"
    assert client.get("/posts/%2541/edit").text == "edit '%41'"
    assert client.get("/abou%74").text == "about"


def test_invalid_utf8_in_path_is_400(client):
    assert client.get("/posts/%ff%fe/edit").status_code == 400


def test_trailing_slash_redirects_308_to_canonical_url(client):
    r = client.get("/about/?x=1")
    assert r.status_code == 308
    assert r.headers["location"] == "/about?x=1"
    assert client.get("/posts/3/").headers["location"] == "/posts/3"
    assert client.get("/about/", follow_redirects=True).text == "about"


def test_trailing_slash_on_unknown_path_is_404_not_a_redirect(client):
    assert client.get("/nope/").status_code == 404


def test_trailing_slash_redirect_never_points_off_site(client):
    r = client.get("//about/")
    assert r.status_code == 308
    assert r.headers["location"] == "/about"


def test_static_priority_then_dynamic_then_catch_all(client_for):
    client = client_for({
        "routes/a/b.py": "def get(request):\n    return 'static'\n",
        "routes/a/[x].py": "def get(request, x):\n    return 'dynamic ' + x\n",
        "routes/a/[x]/c.py": "def get(request, x):\n    return 'dynamic/c ' + x\n",
        "routes/a/[...rest].py": "def get(request, rest):\n    return 'catch-all ' + rest\n",
        "routes/[[...all]].py": "def get(request, all):\n    return 'optional ' + all\n",
    })
    assert client.get("/a/b").text == "static"
    assert client.get("/a/z").text == "dynamic z"
    assert client.get("/a/b/c").text == "dynamic/c b"   # backtracks from the static branch
    assert client.get("/a/b/c/d").text == "catch-all b/c/d"
    assert client.get("/").text == "optional "
    assert client.get("/zzz/y").text == "optional zzz/y"


def test_last_of_a_thousand_routes_matches(client_for):
    files = {f"routes/r{i}/[id].py": f"def get(request, id: int):\n    return 'r{i} ' + str(id)\n"
             for i in range(1000)}
    client = client_for(files)
    assert client.get("/r999/5").text == "r999 5"
    assert client.get("/r0/5").text == "r0 5"


@pytest.mark.parametrize("url, location", [("/wiki/", "/wiki"), ("/wiki/x/", "/wiki/x"),
                                           ("/files/a/", "/files/a")])
def test_trailing_slash_under_catch_all_redirects(client, url, location):
    r = client.get(url)
    assert (r.status_code, r.headers.get("location")) == (308, location)


def test_empty_segment_in_the_middle_is_404(client):
    assert client.get("/files/a//b").status_code == 404
    assert client.get("/posts//edit").status_code == 404
