"""Build the C extension ``dicodec_rle._rle`` (the rest is in pyproject.toml).

The codec core ``src/rle_core.c`` is plain C99 with no Python dependency (the
sanitizer driver in ``fuzz/rle/`` links it too); ``src/_rle.c`` is the binding.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    """Optimisation flags that suit the compiler in use."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "msvc":
            args = ["/O2"]
        else:
            args = ["-O3", "-std=c99", "-fno-strict-aliasing", "-Wall"]
        for ext in self.extensions:
            ext.extra_compile_args = args + list(ext.extra_compile_args or [])
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "dicodec_rle._rle",
            sources=["src/_rle.c", "src/rle_core.c"],
            include_dirs=["src"],
            depends=["src/rle_core.h"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
