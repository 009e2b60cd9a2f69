"""TF Serving warm-up records: ``assets.extra/tf_serving_warmup_requests``.

A TFRecord file of `PredictionLog` messages, each wrapping a `PredictRequest` to the
``serving_default`` signature; TF Serving replays them when it loads the version, so the first
real request does not pay for graph initialisation. One record per typical batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kerasbind.sequences import BASES

WARMUP_FILE = Path("assets.extra") / "tf_serving_warmup_requests"
WARMUP_BATCH_SIZES = (1, 32, 1024)


def warmup_sequences(length: int, count: int, seed: int = 0) -> list[str]:
    """``count`` random ``ACGT`` sequences of the model's length (a fixed seed)."""
    letters = np.frombuffer(BASES.encode(), dtype=np.uint8)
    draws = letters[np.random.default_rng(seed).integers(0, 4, size=(count, length))]
    return [row.tobytes().decode("ascii") for row in draws]


def write_warmup_requests(
    savedmodel_dir: Path,
    model_name: str,
    sequences: Sequence[str],
    batch_sizes: Sequence[int] = WARMUP_BATCH_SIZES,
) -> Path:
    """Write one `PredictionLog` per batch size (cycling through ``sequences``)."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

    path = Path(savedmodel_dir) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for size in batch_sizes:
            batch = [sequences[i % len(sequences)].encode("ascii") for i in range(size)]
            request = predict_pb2.PredictRequest()
            request.model_spec.name = model_name
            request.model_spec.signature_name = "serving_default"
            request.inputs["sequences"].CopyFrom(tf.make_tensor_proto(batch, dtype=tf.string))
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log.SerializeToString())
    return path
