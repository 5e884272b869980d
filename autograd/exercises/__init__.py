"""Gradient-check exercises: learners write local derivatives, the checks grade them.

From the shell, ``python -m autograd.exercises list``, ``start solutions.py`` and
``check solutions.py`` (also ``gradwalk exercises ...``); from Python, `main`.
`grade_by_hand` grades gradients a learner worked out by hand on a built graph.

>>> len(EXERCISES) >= 10
True
>>> EXERCISES[-1].signature
'softmax_cross_entropy(z0, z1, z2)'
"""

from autograd.exercises.by_hand import HandGrade, HandGrades, grade_by_hand
from autograd.exercises.catalogue import EXERCISES, Exercise, Mistake, template
from autograd.exercises.cli import main
from autograd.exercises.grading import Grade, SolutionsFileError, grade, grade_file, load_solutions, report

__all__ = [
    "EXERCISES",
    "Exercise",
    "Grade",
    "HandGrade",
    "HandGrades",
    "Mistake",
    "SolutionsFileError",
    "grade",
    "grade_by_hand",
    "grade_file",
    "load_solutions",
    "main",
    "report",
    "template",
]
