"""The README's examples run as written: its ```python blocks with >>> are doctests.

They run top to bottom in one namespace, as a reader would type them.
"""

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    examples = [block for block in blocks if block.lstrip().startswith(">>>")]
    assert len(examples) >= 5
    globs: dict[str, object] = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for i, text in enumerate(examples):
        test = doctest.DocTestParser().get_doctest(text, globs, f"README example {i}", str(README), 0)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs  # DocTest copies the namespace it is given: carry this one on
    assert runner.failures == 0, "\n".join(report)
