"""公告栏 (notice board): community notices, optionally for one compound.

The smallest complete plugin: a model, a settings schema, permissions and a role, a
blueprint, hooks, an Alembic branch. Copy it to start a new module.
"""
