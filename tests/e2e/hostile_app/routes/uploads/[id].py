"""GET /uploads/<id>: download a stored upload under the name its sender gave it."""
from pathlib import Path

from wolfpy import send_file

from models.upload import Upload

UPLOADS = Path(__file__).resolve().parent.parent.parent / "uploads"


def get(request, id: int):
    row = Upload.get_or_404(id)
    return send_file(UPLOADS / row.stored, download_name=row.filename or row.stored)
