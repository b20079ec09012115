"""POST /upload (multipart): each file is saved under uploads/ with a name this code makes.

The client's file name is kept in the database for display and downloads only; it
never becomes part of a path.
"""
import uuid
from pathlib import Path

from wolfpy import api_route

from models.upload import Upload

UPLOADS = Path(__file__).resolve().parent.parent / "uploads"


@api_route(status=201)
def post(request):
    saved = []
    for field in request.files:
        for upload in request.files.getlist(field):
            stored = uuid.uuid4().hex
            UPLOADS.mkdir(exist_ok=True)
            size = upload.save(UPLOADS / stored)
            row = Upload.create(stored=stored, filename=upload.filename, content_type=upload.content_type,
                                size=size)
            saved.append({"id": row.id, "stored": stored, "size": size})
    return {"files": saved, "fields": sorted(request.form)[:20]}
