"""GET /private: for signed-in users only."""
from wolfpy import login_required


@login_required
def get(request):
    return f"hello {request.user.username}"
