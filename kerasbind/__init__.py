"""kerasbind: learn where proteins bind DNA and RNA, the deepRAM way, in Keras 3."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kerasbind")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
