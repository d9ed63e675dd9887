"""A plain Starlette upload endpoint (the baseline for benchmarks/upload.py): stream the body to a file."""

import os
import tempfile

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def upload(request):
    fd, name = tempfile.mkstemp(dir=os.environ.get("PLAIN_UPLOAD_DIR"))
    size = 0
    with os.fdopen(fd, "wb") as fh:
        async for chunk in request.stream():
            fh.write(chunk)
            size += len(chunk)
        fh.flush()
        os.fsync(fh.fileno())
    os.unlink(name)
    return JSONResponse({"size": size})


app = Starlette(routes=[Route("/upload", upload, methods=["POST"])])
