"""Device check: the nine architectures' Keras code on a GPU under the JAX backend.

Run where TensorFlow is absent but JAX has a GPU (the lent device machine)::

    KERAS_BACKEND=jax python benchmarks/gpu_check.py DATA.npz OUT.json [STEPS]

``DATA.npz`` holds integer codes of the PUM2 CLIP-seq train/test sets and the word2vec matrix
(made on a TensorFlow machine by ``benchmarks/gpu_check.py --prepare DATA.npz``). For every
architecture it trains about STEPS learning steps of 128 (default 2,000), then records the test
AUC and the training and prediction throughput. Results are written after each architecture.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

PUM2 = Path("../shared/data/CLIP-seq/23_PARCLIP_PUM2_hg19/30000")


def prepare(path: str) -> None:
    """Save the PUM2 codes and a word2vec matrix (needs the full kerasbind install)."""
    from kerasbind.embedding import embedding_matrix, train_word2vec
    from kerasbind.readers import read_sequences

    train = read_sequences(PUM2 / "training_sample_0" / "sequences.fa.gz")
    test = read_sequences(PUM2 / "test_sample_0" / "sequences.fa.gz")
    vectors = embedding_matrix(train_word2vec(train.sequences, seed=0), 3)
    np.savez_compressed(
        path,
        train=train.codes(101),
        y_train=train.labels,
        test=test.codes(101),
        y_test=test.labels,
        word2vec=vectors,
    )


def check(data_path: str, out_path: str, steps: int) -> None:
    import keras
    from sklearn.metrics import roc_auc_score

    from kerasbind.encoding import EncoderSpec, encode_codes
    from kerasbind.models import ARCHITECTURES, build_model, compile_model, default_hyperparameters

    data = np.load(data_path)
    results = {"backend": keras.backend.backend(), "devices": _devices(), "steps": steps}
    for name, arch in ARCHITECTURES.items():
        keras.utils.set_random_seed(0)
        kind = "kmer" if arch.embedding else "onehot"
        encoder = EncoderSpec(kind, 101)
        x_train, x_test = encode_codes(data["train"], encoder), encode_codes(data["test"], encoder)
        matrix = data["word2vec"] if arch.embedding else None
        model = build_model(arch, default_hyperparameters(arch), encoder, embedding_matrix=matrix)
        compile_model(model, arch, default_hyperparameters(arch))
        epochs = max(1, round(steps * 128 / len(x_train)))
        model.fit(x_train[:256], data["y_train"][:256], batch_size=128, epochs=1, verbose=0)
        start = time.perf_counter()
        model.fit(x_train, data["y_train"], batch_size=128, epochs=epochs, verbose=0)
        train_seconds = time.perf_counter() - start
        model.predict(x_test[:1024], batch_size=1024, verbose=0)
        start = time.perf_counter()
        probability = model.predict(x_test, batch_size=1024, verbose=0).ravel()
        predict_seconds = time.perf_counter() - start
        results[name] = {
            "test_auc": round(float(roc_auc_score(data["y_test"], probability)), 4),
            "train_seq_per_s": round(epochs * len(x_train) / train_seconds),
            "predict_seq_per_s": round(len(x_test) / predict_seconds),
            "learning_steps": epochs * int(np.ceil(len(x_train) / 128)),
        }
        print(name, results[name], flush=True)
        Path(out_path).write_text(json.dumps(results, indent=2) + "\n")


def _devices() -> list[str]:
    try:
        import jax

        return [str(device) for device in jax.devices()]
    except ImportError:
        return []


if __name__ == "__main__":
    if sys.argv[1] == "--prepare":
        prepare(sys.argv[2])
    else:
        check(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2000)
