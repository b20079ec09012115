"""WolfPy: a convention-over-configuration web framework with file-based routing.

The front door re-exports the names route modules use; everything else lives
in submodules (``wolfpy.testing``, ``wolfpy.realtime``, ``wolfpy.config`` ...).
"""
from .__about__ import __version__ as __version__
from .api import api_route as api_route
from .auth.core import login_required as login_required
from .auth.core import role_required as role_required
from .auth.tokens import token_required as token_required
from .app import App as App
from .app import load as load
from .config import Settings as Settings
from .errors import HTTPError as HTTPError
from .errors import WolfPyError as WolfPyError
from .helpers import send_file as send_file
from .helpers import static_url as static_url
from .helpers import url_for as url_for
from .http.datastructures import Headers as Headers
from .http.datastructures import MultiDict as MultiDict
from .http.datastructures import UploadFile as UploadFile
from .http.request import Request as Request
from .http.response import Response as Response
from .http.response import abort as abort
from .http.response import json as json
from .http.response import redirect as redirect
from .middleware import Hooks as Hooks
from .middleware.csrf import csrf_exempt as csrf_exempt
from .handlers import nonblocking as nonblocking
from .sessions import flash as flash
from .project import Project as Project
from .realtime.websocket import WebSocket as WebSocket
from .realtime.websocket import WebSocketDisconnect as WebSocketDisconnect
from .templating import render as render
from .forms import Form as Form
from .validation import ValidationError as ValidationError

__all__ = [
    "App", "Form", "Headers", "Hooks", "HTTPError", "MultiDict", "Project", "Request", "Response",
    "Settings", "UploadFile", "ValidationError", "WebSocket", "WebSocketDisconnect", "WolfPyError", "__version__",
    "abort", "api_route", "csrf_exempt", "flash", "json", "login_required", "nonblocking", "role_required",
    "token_required", "load", "redirect", "render", "send_file", "static_url",
    "url_for",
]
