"""Constructs, one per AWS concept. Signature: `Foo(scope, id_, *, settings...)`.

Each resolves its defaults once at the top and exposes what others need as typed attributes.
Framework classes come only from `core.framework`.
"""
