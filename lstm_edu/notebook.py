"""What every notebook runs first, and the environment self-check of 00."""

from __future__ import annotations

import platform
import random

import ipywidgets as widgets
import numpy as np
import torch


def setup(seed: int = 0, threads: int = 1) -> None:
    """Seeds, one thread, readable printing, and lean inline figures.

    One thread: the course's models are tiny, and on a shared 2-core machine
    a second thread made the source's training loop up to 25x slower
    (1.1-59 s on two threads against 1.2-2.3 s on one).
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    np.set_printoptions(precision=4, suppress=True)
    torch.set_printoptions(precision=4, sci_mode=False)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        # retina: a 2x PNG with width metadata, so figures shown at the end of a cell are as
        # crisp on HiDPI screens as the sliders' (figures.style.PNG_SCALE). A tight bounding
        # box would re-render every figure; constrained layout already fits.
        set_matplotlib_formats("retina", bbox_inches=None)


def versions() -> dict[str, str]:
    """The versions a bug report needs."""
    import matplotlib

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "ipywidgets": widgets.__version__,
    }


class WidgetCheck(widgets.VBox):
    """The self-check box; its plain-text form says what it is for a viewer with no kernel."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = ("[A slider appears here when this cell runs in JupyterLab; "
                                "moving it checks that widgets work.]")
        return bundle


def widget_check() -> WidgetCheck:
    """A slider that says so when the widget front end answers."""
    slider = widgets.IntSlider(value=0, min=0, max=10, description="move me")
    status = widgets.HTML("Waiting: move the slider. If nothing changes, see the box below.")

    def on_change(change):
        status.value = (f"<b>Widgets work.</b> The kernel saw the slider at {change['new']}.")

    slider.observe(on_change, names="value")
    return WidgetCheck([slider, status])
