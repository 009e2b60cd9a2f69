"""`kerasbind.runtime.start_tensorflow`: TensorFlow starts with oneDNN on and says nothing;
`import kerasbind` alone asks for oneDNN too."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ONEDNN = (
    "from tensorflow.python.util import _pywrap_util_port\n"
    "print(_pywrap_util_port.IsMklEnabled())\n"
)
PROBE = "from kerasbind.runtime import start_tensorflow\nstart_tensorflow()\n" + ONEDNN


def _start(probe: str = PROBE, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(("setting", "enabled"), [(None, "True"), ("0", "False")])
def test_onednn_on_unless_the_user_says_otherwise(setting: str | None, enabled: str) -> None:
    started = _start(**({"TF_ENABLE_ONEDNN_OPTS": setting} if setting else {}))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == enabled
    # TensorFlow's start-up lines (oneDNN, the CUDA probe) do not reach the user
    assert started.stderr == ""


def test_a_pipeline_importing_tensorflow_after_kerasbind_gets_onednn() -> None:
    started = _start("import kerasbind\n" + ONEDNN)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "True"


DETERMINISM = (
    "from kerasbind.runtime import set_seed\nset_seed(0)\n"
    "from tensorflow.python.framework import config\n"
    "print(config.is_op_determinism_enabled())\n"
)


@pytest.mark.parametrize(("setting", "enabled"), [(None, "True"), ("0", "False")])
def test_seeding_turns_deterministic_kernels_on_unless_the_user_says_otherwise(
    setting: str | None, enabled: str
) -> None:
    started = _start(DETERMINISM, **({"TF_DETERMINISTIC_OPS": setting} if setting else {}))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == enabled
