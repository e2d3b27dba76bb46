"""Package names that import their module on first use (PEP 562 module ``__getattr__``).

A package ``__init__`` lists where each public name lives and binds the two functions this
module returns::

    __getattr__, __dir__ = lazy_exports(__name__, {"did": "arviointi.did.model"})

``import arviointi`` then costs almost nothing: ``statsmodels``, ``scipy.stats``,
``matplotlib`` and ``papermill`` load when a name that needs them is first used. The
value is cached in the package's namespace, so later look-ups are plain attribute reads.

Some exported functions share their name with a submodule (``arviointi.did`` the
estimator and the subpackage, ``arviointi.data.validate`` the function and the module).
Importing such a submodule makes the import system set the package's attribute to the
module; :class:`LazyPackage` drops that one assignment, so the name keeps resolving to the
function whatever was imported before. The submodule stays in ``sys.modules`` (reach it
with ``from arviointi.did import diagnostics``, not ``import arviointi.did as m``).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_ATTRIBUTES = "__lazy_attributes__"


class LazyPackage(types.ModuleType):
    """Module class of a package with lazy exports: a submodule never rebinds an export."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in vars(self).get(_ATTRIBUTES, ()):
            return
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, str], *, modules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` (call it from its ``__init__``).

    ``exports`` maps a name to the module that defines it; ``modules`` names submodules
    that are exported themselves (``arviointi.data.schemas`` as ``schemas``).
    """
    submodules = frozenset(modules)
    namespace = sys.modules[package]
    vars(namespace)[_ATTRIBUTES] = frozenset(exports)
    namespace.__class__ = LazyPackage

    def __getattr__(name: str) -> Any:
        if name in submodules:
            value: Any = importlib.import_module(f"{package}.{name}")
        elif name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        vars(namespace)[name] = value  # cached; bypasses LazyPackage.__setattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(namespace)) | set(exports) | submodules)

    return __getattr__, __dir__
