"""Notebook kernels on IPC sockets: a patch of jupyter-cache, isolated and guarded.

Both language builds start kernels at the same moment. With TCP, each kernel manager picks
free ports by binding and releasing them, so two processes can pick the same port
("Address already in use", seen in probes). myst-nb offers no option for the kernel manager
class (executablebooks/MyST-NB#378 asks for kernel options); both of its execution modes run
notebooks through jupyter-cache's ``single_nb_execution``, which calls the module-level
name ``executenb`` (nbclient's ``execute``). Replacing that one name gives every kernel an
IPC transport in a private folder.

Written for jupyter-cache 1.0.x. :func:`check_patch_target` refuses any other version, or a
1.0 whose ``executenb`` is no longer nbclient's ``execute`` called from
``single_nb_execution``: the build then stops with a message instead of racing on ports.
"""

from __future__ import annotations

import functools
import inspect
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: The jupyter-cache release line this patch was written against.
PATCHED_VERSION = "1.0"


def check_patch_target() -> None:
    """Fail unless jupyter-cache still calls nbclient's ``execute`` as ``executenb``."""
    import jupyter_cache
    import jupyter_cache.executors.utils as cache_utils
    import nbclient

    version = jupyter_cache.__version__
    if version.split(".")[:2] != PATCHED_VERSION.split("."):
        raise ExtensionError(
            f"talimat_sphinx.kernels patches jupyter-cache {PATCHED_VERSION}.x, found {version}: "
            "check that jupyter_cache.executors.utils still runs notebooks through executenb, "
            "then update PATCHED_VERSION"
        )
    target = getattr(cache_utils, "executenb", None)
    original = target.func if isinstance(target, functools.partial) else target
    if original is not nbclient.execute:
        raise ExtensionError(
            "jupyter_cache.executors.utils.executenb is no longer nbclient.execute: "
            "the IPC kernel patch would not take effect"
        )
    if "executenb(" not in inspect.getsource(cache_utils.single_nb_execution):
        raise ExtensionError(
            "jupyter_cache's single_nb_execution no longer calls executenb: "
            "the IPC kernel patch would not take effect"
        )


def ipc_kernel_manager() -> type[Any]:
    """An ``AsyncKernelManager`` whose sockets are files in a fresh temporary folder."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        """A kernel manager whose sockets are files in a fresh temporary folder."""

        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # Absolute, so the kernel (whose cwd is the notebook's folder) and this
            # process agree on the socket paths; unique, so kernels never share them.
            return str(Path(tempfile.mkdtemp(prefix="talimat-kernel-")) / "kernel")

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    return IPCKernelManager


def use_ipc_kernels() -> None:
    """Make jupyter-cache (and so myst-nb) start every kernel with IPC sockets."""
    import jupyter_cache.executors.utils as cache_utils
    from nbclient import execute

    check_patch_target()
    cache_utils.executenb = functools.partial(execute, kernel_manager_class=ipc_kernel_manager())


def setup(app: Sphinx) -> dict[str, Any]:
    use_ipc_kernels()
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
