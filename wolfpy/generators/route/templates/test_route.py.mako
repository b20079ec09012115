"""Tests for ${url} (written by `wolfpy generate route ${name}`; edit them freely).

The `client` fixture (from WolfPy's pytest plugin) talks to the app in-process.
"""


def test_${ident}_page(client):
    response = client.get("${sample_url}")
    assert response.status_code == 200
    assert "${route_file}" in response.text
