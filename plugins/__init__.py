"""Linli's built-in modules, each a plugin registered through the ``linli.plugins``
entry-point group exactly as a third-party distribution would register one."""
