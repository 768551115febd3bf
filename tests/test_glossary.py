"""00's bilingual glossary lists every Chinese term a notebook heading uses (issue 21)."""

import json
import re
from pathlib import Path

import pytest

from lstm_edu.notebook import GLOSSARY, Glossary, Term, glossary, glossary_terms

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
START = NOTEBOOKS[0]
# CJK Unified Ideographs, Extension A and the compatibility block: the characters of a term.
# Punctuation (·, ，, （）) is not in them, so "输入门（记忆门）" gives two terms.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")

# The terms issue 21 names, in the forms the course uses; each must be in the glossary.
REQUIRED = ("遗忘门", "输入门", "记忆门", "输出门", "细胞状态", "候选值", "隐藏状态", "梯度消失",
            "梯度爆炸", "时间反向传播", "窥视孔连接", "门控循环单元", "循环神经网络", "长短期记忆",
            "前馈神经网络", "长期依赖", "耦合门", "语言模型", "困惑度", "截断", "梯度裁剪", "字符级")


def heading_terms(markdown: str) -> set[str]:
    """The CJK runs in the markdown headings of ``markdown`` (not in code fences)."""
    terms, fenced = set(), False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            terms.update(CJK_RUN.findall(match.group(1)))
    return terms


def notebook_heading_terms(path: Path) -> set[str]:
    nb = json.loads(path.read_text())
    return set().union(*(heading_terms("".join(c["source"])) for c in nb["cells"]
                         if c["cell_type"] == "markdown"))


def glossary_output(path: Path = START) -> str:
    """The stored output of 00's glossary cell: its HTML and its plain text."""
    nb = json.loads(path.read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"
             and "glossary()" in "".join(c["source"])]
    assert len(cells) == 1, "00 must have one cell that shows glossary()"
    data = [o.get("data", {}) for o in cells[0]["outputs"] if o["output_type"] == "execute_result"]
    assert data, "00's glossary cell has no stored output: re-execute 00"
    return "".join(data[0].get("text/html", "")) + "\n" + "".join(data[0].get("text/plain", ""))


def test_heading_parser_finds_terms_in_headings_only():
    md = ("## 遗忘门 · forget gate\nprose about 细胞状态, not a heading\n"
          "### Input gate: 输入门（记忆门）\n```python\n# 候选值 in a code comment\n```\n#not a heading")
    assert heading_terms(md) == {"遗忘门", "输入门", "记忆门"}


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name)
def test_every_chinese_heading_term_is_in_the_glossary(path):
    missing = notebook_heading_terms(path) - glossary_terms()
    assert not missing, (f"{path.name} heads a section with {sorted(missing)}: add them to "
                         "lstm_edu.notebook.GLOSSARY and re-execute 00_start_here")


def test_the_check_fails_for_a_term_the_glossary_lacks():
    assert heading_terms("## 注意力 · attention") - glossary_terms() == {"注意力"}


def test_the_terms_issue_21_names_are_there():
    assert set(REQUIRED) <= glossary_terms()
    english = {form: term.english for term in GLOSSARY for form in term.chinese}
    assert "input gate" in english["输入门"] and "input gate" in english["记忆门"]
    assert "forget gate" in english["遗忘门"] and "GRU" in english["门控循环单元"]


def test_00_shows_the_current_glossary():
    shown = glossary_output()
    for term in GLOSSARY:
        for form in term.chinese:
            assert form in shown, f"{form} is missing from 00's stored glossary: re-execute 00"
        assert term.english.split(" (")[0].split(";")[0] in shown


def test_no_term_is_listed_twice():
    forms = [form for term in GLOSSARY for form in term.chinese]
    assert len(forms) == len(set(forms))
    assert all(CJK_RUN.fullmatch(form) for form in forms), "a form must be one run of characters"


def test_glossary_renders_and_checks_its_input():
    table = glossary()
    html_text = table._repr_html_()
    assert html_text.count("<tr>") == len(GLOSSARY) + 1 and "&quot;memory gate&quot;" in html_text
    assert repr(table).splitlines()[0] == "前馈神经网络: feedforward neural network (01)"
    escaped = Glossary([Term(("门",), "<b>", "04")])._repr_html_()
    assert "<td>&lt;b&gt;</td>" in escaped and "<td><b>" not in escaped
    with pytest.raises(TypeError, match="non-empty sequence of Term"):
        Glossary([("门", "gate", "04")])
    with pytest.raises(TypeError, match="non-empty sequence of Term"):
        Glossary([])
