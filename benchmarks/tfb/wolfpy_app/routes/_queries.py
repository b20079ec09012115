"""The `queries` parameter of /queries and /updates: 1..500; missing or not a number is 1."""


def query_count(request):
    try:
        n = int(request.query.get("queries", "1"))
    except ValueError:
        return 1
    return min(max(n, 1), 500)
