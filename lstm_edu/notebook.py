"""What every notebook runs first, and 00's environment self-check and bilingual glossary."""

from __future__ import annotations

import html
import platform
import random
from dataclasses import dataclass

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


# --- the bilingual glossary of 00 ----------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One glossary row: the Chinese form(s), the English term, and where the course uses it."""

    chinese: tuple[str, ...]
    english: str
    notebooks: str


# The source's terms and the course's, in course order. tests/test_glossary.py checks that
# every Chinese term in a notebook heading is here, and in 00's stored glossary output.
GLOSSARY = (
    Term(("前馈神经网络",), "feedforward neural network", "01"),
    Term(("神经元",), "neuron", "01"),
    Term(("激活函数",), "activation function", "01"),
    Term(("词袋",), "bag of words", "01"),
    Term(("均方误差",), "mean squared error (MSE)", "01, 10"),
    Term(("循环神经网络",), "recurrent neural network (RNN)", "02"),
    Term(("隐藏状态",), "hidden state h_t (d2l: 隐状态)", "02"),
    Term(("隐状态",), "hidden state (d2l's word)", "02"),
    Term(("展开",), "unrolling (in time)", "02"),
    Term(("参数共享",), "shared weights", "02"),
    Term(("长期依赖",), "long-term dependency", "03"),
    Term(("梯度消失",), "vanishing gradient", "03, 11"),
    Term(("梯度爆炸",), "exploding gradient", "03"),
    Term(("时间反向传播", "通过时间反向传播"), "backpropagation through time (BPTT)", "03, 14"),
    Term(("梯度裁剪",), "gradient clipping", "03, 14"),
    Term(("长短期记忆", "长短期记忆网络", "长短时间记忆网络"),
         "long short-term memory (LSTM); the source writes both", "04"),
    Term(("细胞状态",), "cell state C_t (d2l: 记忆元)", "04-08"),
    Term(("记忆元",), "memory cell (d2l's word for the cell state)", "04"),
    Term(("门", "门控"), "gate, gating", "04"),
    Term(("神经网络层",), "neural network layer (the source's sigmoid 神经网络层: a sigmoid layer)",
         "04"),
    Term(("按位乘法", "逐元素乘法"), "pointwise (element-wise) product ⊙", "04"),
    Term(("遗忘门",), "forget gate f_t", "05"),
    Term(("输入门",), "input gate i_t", "06"),
    Term(("记忆门",), "\"memory gate\": the source's name for the input gate", "06"),
    Term(("候选值", "候选记忆元"), "candidate C̃_t (d2l: 候选记忆元)", "06"),
    Term(("更新细胞状态", "细胞状态更新", "更新"), "cell update: updating the cell state", "07"),
    Term(("输出门",), "output gate o_t", "08"),
    Term(("变体",), "variant", "09"),
    Term(("窥视孔连接", "窥视孔"), "peephole connection", "09"),
    Term(("耦合门", "耦合的遗忘门和输入门"), "coupled forget and input gates (CIFG)", "09"),
    Term(("门控循环单元",), "gated recurrent unit (GRU)", "09"),
    Term(("更新门",), "update gate z_t", "09"),
    Term(("重置门",), "reset gate r_t", "09"),
    Term(("平均绝对误差",), "mean absolute error: the source's prose; its code uses MSE", "10"),
    Term(("遗忘门偏置",), "forget-gate bias", "11"),
    Term(("指数门控",), "exponential gating", "12"),
    Term(("矩阵记忆",), "matrix memory", "12"),
    Term(("并行扫描",), "parallel scan", "13"),
    Term(("反向传播",), "backpropagation", "14"),
    Term(("截断", "截断时间反向传播"), "truncation; truncated BPTT", "14"),
    Term(("语言模型",), "language model", "03, 15"),
    Term(("字符级",), "character-level", "15"),
    Term(("词嵌入", "嵌入"), "embedding", "15"),
    Term(("困惑度",), "perplexity", "15"),
    Term(("温度",), "(sampling) temperature", "15"),
    Term(("唐诗",), "Tang poems", "15"),
    Term(("藏头诗",), "acrostic poem", "15"),
)


def glossary_terms() -> frozenset[str]:
    """Every Chinese form the glossary lists."""
    return frozenset(form for term in GLOSSARY for form in term.chinese)


class Glossary:
    """The glossary as a table: HTML in JupyterLab and on GitHub, aligned text elsewhere."""

    def __init__(self, terms=GLOSSARY):
        terms = tuple(terms)
        if not terms or not all(isinstance(t, Term) for t in terms):
            raise TypeError("terms must be a non-empty sequence of Term")
        self.terms = terms

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(' / '.join(t.chinese))}</td><td>{html.escape(t.english)}</td>"
            f"<td>{html.escape(t.notebooks)}</td></tr>" for t in self.terms)
        return ("<table><thead><tr><th>中文</th><th>English</th><th>notebooks</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        return "\n".join(f"{' / '.join(t.chinese)}: {t.english} ({t.notebooks})"
                         for t in self.terms)


def glossary() -> Glossary:
    """00's bilingual glossary (``GLOSSARY``), ready to display."""
    return Glossary()
