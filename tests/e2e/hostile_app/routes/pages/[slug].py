"""GET /pages/<slug>: any one segment, echoed back."""


def get(request, slug: str):
    return {"slug": slug}
