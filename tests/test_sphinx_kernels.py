"""talimat_sphinx.kernels: the IPC patch of jupyter-cache, its guard, and a real kernel on it."""

from __future__ import annotations

import functools
from pathlib import Path

import jupyter_cache
import jupyter_cache.executors.utils as cache_utils
import nbclient
import nbformat
import pytest
from sphinx.errors import ExtensionError

from talimat_sphinx import kernels


def test_upstream_still_has_what_the_patch_replaces() -> None:
    """Fails when jupyter-cache changes what the patch relies on: re-check it, then update."""
    assert jupyter_cache.__version__.startswith(kernels.PATCHED_VERSION + ".")
    target = cache_utils.executenb
    original = target.func if isinstance(target, functools.partial) else target
    assert original is nbclient.execute
    kernels.check_patch_target()


def test_another_jupyter_cache_version_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jupyter_cache, "__version__", "2.0.0")
    with pytest.raises(ExtensionError, match=r"patches jupyter-cache 1\.0\.x, found 2\.0\.0"):
        kernels.check_patch_target()


def test_a_replaced_executenb_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_utils, "executenb", lambda *args, **kwargs: None)
    with pytest.raises(ExtensionError, match=r"no longer nbclient\.execute"):
        kernels.check_patch_target()


def test_kernels_use_ipc_sockets_in_a_private_folder() -> None:
    manager_class = kernels.ipc_kernel_manager()
    first, second = manager_class(), manager_class()
    assert first.transport == "ipc"
    assert Path(first.ip).is_absolute()
    assert Path(first.ip).parent != Path(second.ip).parent


@pytest.mark.slow
def test_jupyter_cache_runs_a_notebook_on_an_ipc_kernel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cache_utils, "executenb", nbclient.execute)
    kernels.use_ipc_kernels()
    assert cache_utils.executenb.keywords["kernel_manager_class"]().transport == "ipc"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    result = cache_utils.single_nb_execution(
        notebook, cwd=str(tmp_path), timeout=60, allow_errors=False
    )
    assert result.err is None
    assert notebook.cells[0].outputs[0]["text"] == "42\n"
