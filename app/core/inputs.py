"""What the app accepts from a request before any route runs: clean parameters and bounded path values.

Why one place: NUL bytes in a filter and ids of 2**31 or more in a path used
to answer 500 from whichever route received them. Here the request class
cleans every query-string and form value (``app.core.text``) and the URL
converters refuse path integers outside the ``INTEGER`` range and path text
holding control characters, so that such a URL is simply not found (404).
"""
from __future__ import annotations

import builtins
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter, ValidationError

from app.core import bounds
from app.core.text import clean_pairs, has_controls


class CleanParameters(ImmutableMultiDict):  # type: ignore[type-arg]
    """The request's ``args`` and ``form`` (and ``files``, left as they are): text values cleaned."""

    def __init__(self, mapping: Any = None) -> None:
        pairs = list(MultiDict(mapping).items(multi=True)) if mapping is not None else []
        super().__init__(clean_pairs(pairs))


class CleanRequest(Request):
    """Flask's request whose parameter storage cleans every value."""

    parameter_storage_class = CleanParameters


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` limited to ``bounds.INT_MAX`` (10 digits at most, checked before converting)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        top = bounds.INT_MAX if max is None else builtins.min(max, bounds.INT_MAX)
        bottom = bounds.INT_MIN if min is None else builtins.max(min, bounds.INT_MIN)
        super().__init__(map, fixed_digits=fixed_digits, min=bottom, max=top, signed=signed)

    def to_python(self, value: str) -> Any:
        if len(value.lstrip("-")) > len(str(bounds.INT_MAX)):
            raise ValidationError()
        return super().to_python(value)


class CleanUnicodeConverter(UnicodeConverter):
    """``<name>`` / ``<string:name>``: a segment holding a control character matches no route."""

    def to_python(self, value: str) -> Any:
        if has_controls(value):
            raise ValidationError()
        return super().to_python(value)


class CleanPathConverter(PathConverter):
    """``<path:name>``: the same for paths."""

    def to_python(self, value: str) -> Any:
        if has_controls(value):
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Install the request class and the converters; call before any blueprint is registered."""
    app.request_class = CleanRequest
    app.url_map.converters.update(int=BoundedIntegerConverter, default=CleanUnicodeConverter,
                                  string=CleanUnicodeConverter, path=CleanPathConverter)
