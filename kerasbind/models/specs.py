"""The nine named deepRAM architectures (paper Table 1) and free composition of their parts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from kerasbind.errors import KerasbindError, did_you_mean

RNN_KINDS = ("lstm", "gru", "bilstm", "bigru")


@dataclass(frozen=True)
class ArchitectureSpec:
    """What a model is made of: input representation, convolution stage, recurrent stage."""

    name: str
    embedding: bool
    conv_layers: int
    dilation: int = 1
    rnn: str | None = None  # "lstm" | "gru" | "bilstm" | "bigru"
    rnn_layers: int = 1

    def __post_init__(self) -> None:
        if self.conv_layers < 0 or self.dilation < 1 or self.rnn_layers < 1:
            raise KerasbindError(
                f"architecture {self.name!r}: need conv_layers >= 0, dilation >= 1, rnn_layers >= 1"
            )
        if self.rnn is not None and self.rnn not in RNN_KINDS:
            raise KerasbindError(f"unknown recurrent module {self.rnn!r} (one of {RNN_KINDS})")
        if self.conv_layers == 0 and self.rnn is None:
            raise KerasbindError(
                f"architecture {self.name!r} has neither convolution nor recurrent layers"
            )

    @property
    def filter_width(self) -> int:
        """Motif length (Table 2): 10 over k-mer embeddings, 24 over one-hot input."""
        return 10 if self.embedding else 24

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchitectureSpec:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


ARCHITECTURES: dict[str, ArchitectureSpec] = {
    spec.name: spec
    for spec in (
        ArchitectureSpec("deepbind", embedding=False, conv_layers=1),
        ArchitectureSpec("deepbind_star", embedding=False, conv_layers=3),
        ArchitectureSpec("dilated", embedding=False, conv_layers=3, dilation=2),
        ArchitectureSpec("danq", embedding=False, conv_layers=1, rnn="bilstm"),
        ArchitectureSpec("danq_star", embedding=False, conv_layers=3, rnn="bilstm"),
        ArchitectureSpec("deepbind_e_star", embedding=True, conv_layers=3),
        ArchitectureSpec("kegru", embedding=True, conv_layers=0, rnn="bigru"),
        ArchitectureSpec("eclstm", embedding=True, conv_layers=1, rnn="lstm"),
        ArchitectureSpec("ecblstm", embedding=True, conv_layers=1, rnn="bilstm"),
    )
}


def resolve_architecture(name: str, **overrides: Any) -> ArchitectureSpec:
    """The named architecture with some parts replaced (``embedding``, ``conv_layers``,
    ``dilation``, ``rnn``, ``rnn_layers``); a changed spec is renamed ``custom(<name>)``."""
    if name not in ARCHITECTURES:
        raise KerasbindError(
            f"unknown architecture {name!r}{did_you_mean(str(name), ARCHITECTURES)} "
            f"(one of {', '.join(ARCHITECTURES)})"
        )
    base = ARCHITECTURES[name]
    unknown = set(overrides) - set(ArchitectureSpec.__dataclass_fields__) - {"name"}
    if unknown:
        raise KerasbindError(f"unknown architecture fields: {', '.join(sorted(unknown))}")
    changed = {key: value for key, value in overrides.items() if getattr(base, key) != value}
    if not changed:
        return base
    return replace(base, name=f"custom({name})", **changed)
