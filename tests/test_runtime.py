"""`kerasbind.runtime.start_tensorflow`: TensorFlow starts with oneDNN on and says nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "from kerasbind.runtime import start_tensorflow\n"
    "start_tensorflow()\n"
    "from tensorflow.python.util import _pywrap_util_port\n"
    "print(_pywrap_util_port.IsMklEnabled())\n"
)


def _start(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(("setting", "enabled"), [(None, "True"), ("0", "False")])
def test_onednn_on_unless_the_user_says_otherwise(setting: str | None, enabled: str) -> None:
    started = _start(**({"TF_ENABLE_ONEDNN_OPTS": setting} if setting else {}))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == enabled
    # TensorFlow's start-up lines (oneDNN, the CUDA probe) do not reach the user
    assert started.stderr == ""
