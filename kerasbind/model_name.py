"""The one rule for a served model's name: ``export`` writes ``BASE/NAME``, ``models.config``
lists it and clients put it in a URL, so it must be harmless in all three."""

from __future__ import annotations

import re
from typing import Any

from kerasbind.errors import KerasbindError

# letters, digits, '_', '.', '-'; no '/', quotes, braces, spaces; not '.' or '..'
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def check_model_name(name: Any, what: str = "model name") -> str:
    """``name`` if it is a usable TF Serving model name, else a one-line error."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise KerasbindError(
            f"{what} {name!r}: use up to 200 letters, digits, '_', '.' and '-', starting with "
            "a letter or digit"
        )
    return name
