"""The assets pipeline: ``assets/`` (SCSS, CSS, JS) built into ``static/dist/`` with a manifest.

:class:`~wolfpy.assets.builder.Builder` builds and rebuilds, :mod:`wolfpy.assets.sass`
keeps Dart Sass running, :mod:`wolfpy.assets.manifest` resolves ``static_url``, and
:mod:`wolfpy.assets.watch` rebuilds on change.
"""
