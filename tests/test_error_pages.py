"""Error pages: built-in, project overrides, JSON, and the debug page (never in production)."""
from __future__ import annotations

import pytest

ROUTES = {
    "routes/boom.py": """
        def get(request):
            password = request.query.get("password")
            api_token = request.query.get("api_token")
            visible = "plain-local-value"
            signing = request.app.settings.app.secret_key
            raise ValueError("kaboom")
    """,
    "routes/tpl.py": """
        from wolfpy import render
        def get(request):
            return render("broken.html", items=[1, 2])
    """,
    "routes/tplsyntax.py": """
        from wolfpy import render
        def get(request):
            return render("syntax.html")
    """,
    "routes/escape.py": """
        from wolfpy import render
        def get(request):
            return render("hello.html", name=request.query.get("name", ""))
    """,
    "routes/tplname.py": """
        from wolfpy import render
        def get(request):
            return render("undefined.html")
    """,
    "templates/undefined.html": "<p>\n  fine\n  ${not_given}\n</p>\n",
    "templates/broken.html": "<ul>\n% for i in items:\n  <li>${i / 0}</li>\n% endfor\n</ul>\n",
    "templates/syntax.html": "<p>\n% for x in\n</p>\n",
    "templates/hello.html": "<p>Hello ${name}</p>\n",
}


@pytest.mark.parametrize("status, path, method", [(404, "/missing", "GET"), (405, "/boom", "POST")])
def test_builtin_pages(client_for, status, path, method):
    c = client_for(ROUTES)
    r = c.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<p class=\"code\">{status}</p>" in r.text


def test_project_override_page(client_for):
    c = client_for({**ROUTES, "templates/errors/404.html": "<h1>Lost: ${request.path} (${status})</h1>"})
    r = c.get("/nowhere/<b>")
    assert r.status_code == 404
    assert r.text == "<h1>Lost: /nowhere/&lt;b&gt; (404)</h1>"


def test_broken_override_falls_back_to_builtin(client_for):
    c = client_for({**ROUTES, "templates/errors/404.html": "${undefined_name}"})
    r = c.get("/nowhere")
    assert r.status_code == 404 and "<p class=\"code\">404</p>" in r.text


def test_json_errors_for_json_clients(client_for):
    c = client_for(ROUTES)
    r = c.get("/missing", headers={"accept": "application/json"})
    assert r.json() == {"error": {"status": 404, "message": "Not Found"}}
    r = c.get("/boom", headers={"accept": "application/json"})
    assert r.json() == {"error": {"status": 500, "message": "Internal Server Error"}}


def test_templates_escape_by_default(client_for):
    c = client_for(ROUTES)
    assert c.get("/escape?name=<script>alert(1)</script>").text == \
        "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_production_500_shows_nothing_internal(client_for):
    c = client_for(ROUTES)
    for url in ("/boom", "/tpl"):
        r = c.get(url)
        assert r.status_code == 500
        for leak in ("kaboom", "hunter2", "Traceback", "broken.html", "ZeroDivision"):
            assert leak not in r.text


def test_debug_page_shows_source_locals_and_request_with_secrets_masked(client_for):
    c = client_for(ROUTES, toml="[app]\ndebug = true\n")
    r = c.get("/boom?password=hunter2&api_token=tok-123&page=7", headers={"authorization": "Bearer abc.def", "cookie": "session=s3cr3t",
                                    "x-custom": "shown-header"})
    assert r.status_code == 500
    page = r.text
    assert "ValueError" in page and "kaboom" in page
    assert 'raise ValueError(&quot;kaboom&quot;)' in page        # source context
    assert "plain-local-value" in page                           # locals
    assert "hunter2" not in page and "tok-123" not in page       # secret locals and query masked
    assert "abc.def" not in page and "s3cr3t" not in page        # secret headers masked
    assert "shown-header" in page
    assert c.app.settings.app.secret_key not in page              # the key, whatever its name
    assert "http://testserver/boom" in page                      # the request
    assert "<td>page</td><td>7</td>" in page                  # the request


def test_debug_page_names_template_file_and_line(client_for):
    c = client_for(ROUTES, toml="[app]\ndebug = true\n")
    r = c.get("/tpl")
    assert r.status_code == 500
    assert "broken.html, line 3" in r.text
    r = c.get("/tplname")
    assert "undefined.html, line 3" in r.text
    r = c.get("/tplsyntax")
    assert r.status_code == 500
    assert "syntax.html, line 2" in r.text


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 413, 415, 422, 429, 500])
def test_every_error_status_as_a_page_and_as_json(client_for, status):
    c = client_for({"routes/fail/[code].py": """
        from wolfpy import abort
        def get(request, code: int):
            abort(code, f"failed with {code}")
    """, "routes/api/fail/[code].py": """
        from wolfpy import abort, api_route
        @api_route
        def get(request, code: int):
            abort(code, f"failed with {code}")
    """})
    page = c.get(f"/fail/{status}", headers={"accept": "text/html"})
    assert page.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<p class="code">{status}</p>' in page.text and f"failed with {status}" in page.text
    api = c.get(f"/api/fail/{status}", headers={"accept": "text/html"})
    assert api.status_code == status
    assert api.json() == {"error": {"status": status, "message": f"failed with {status}"}}
