"""/sw.js: the service worker, built from [pwa] in wolfpy.toml (docs/pwa.md).

Written by `wolfpy generate pwa`. Served with Cache-Control: no-cache so browsers
see a new version at once, and from the site's root so it controls every page.
"""
from wolfpy.pwa import service_worker

get = service_worker
