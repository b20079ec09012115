"""Shipping an app: ``wolfpy dockerize``, ``build``, ``release``, ``deploy``, ``install`` and ``upgrade``.

One module per step: :mod:`.health` (the built-in ``/_wolfpy/health`` route that
containers and load balancers probe), :mod:`.wheel` (WolfPy's own wheel, when it came
from no package index, and the requirements lock), :mod:`.docker`, :mod:`.build`,
:mod:`.release`, :mod:`.deploy` and :mod:`.install`.
"""
