"""The ``gradwalk`` command (also ``python -m autograd``): graphs and walkthroughs of an expression.

gradwalk graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
gradwalk walkthrough "tanh(x*w + b)" x=2 w=-3 b=6.88 -o walk.html
gradwalk exercises list
gradwalk playground
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from autograd._files import write_atomically
from autograd.draw import RANKDIRS, SAVE_FORMATS, GraphTooLargeError, draw
from autograd.engine import Value, topological_order
from autograd.expression import FUNCTIONS, check_all_used, parse, parse_values
from autograd.naming import number
from autograd.render import RenderError
from autograd.walkthrough import Walkthrough, walkthrough

__all__ = ["main"]

USAGE_ERROR = 2  # as argparse: bad expression, variables or options
FAILED = 1  # the renderer failed, or the output could not be written

_EXPRESSIONS = f"""\
An expression uses numbers, variables, + - * / **, unary minus and the functions
{" ".join(FUNCTIONS)}
(elu and leaky_relu take an optional number: leaky_relu(x, 0.1)). Give every
variable a value as NAME=NUMBER. An expression starting with "-" goes after "--":
  gradwalk graph -- "-x**2" x=3
"""

_GRAPH_EXAMPLES = f"""\
examples:
  gradwalk graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
  gradwalk graph "x*y + x" x=3 y=-2 --local-grads -o graph.png
  gradwalk graph "sigmoid(a*b)" a=1 b=2 > graph.dot     (no -o: DOT text on stdout)

The output format follows the suffix of -o: {" ".join(SAVE_FORMATS)}.
{_EXPRESSIONS}"""

_WALKTHROUGH_EXAMPLES = f"""\
examples:
  gradwalk walkthrough "tanh(x*w + b)" x=2 w=-3 b=6.88 -o walk.html
  gradwalk walkthrough "x*y + x" x=3 y=-2        (no -o: the steps as text)
  gradwalk walkthrough "x*y + x" x=3 y=-2 --quiz (asks each gradient in the terminal)

The HTML page is self-contained: open it in any browser, step with the buttons,
the slider or the arrow keys, zoom with the wheel; with --quiz it asks each gradient.
{_EXPRESSIONS}"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gradwalk`` command with `argv` (default: the process's arguments); return the exit code.

    >>> main(["graph", "x*y", "x=3", "y=-2.5", "--summary"])
    x*y = -7.5
    x.grad = -2.5
    y.grad = 3
    0
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["exercises"]:
        from autograd.exercises import main as exercises_main  # only this subcommand needs them

        return exercises_main(arguments[1:], prog="gradwalk exercises")
    if arguments[:1] == ["playground"]:
        return _playground(arguments[1:])
    parser = _parser()
    if not arguments:  # a first try: show what there is to do
        parser.print_help()
        return USAGE_ERROR
    options = parser.parse_args(arguments)
    command = f"gradwalk {options.command}"
    if sys.stdout is None:  # started with stdout closed (`>&-`): every command prints its result there
        _error(command, "standard output is closed, so there is nowhere to print the result")
        return FAILED
    try:
        code = _graph(options) if options.command == "graph" else _walkthrough(options)
        sys.stdout.flush()  # a full or closed stdout fails here, not silently at exit
        return code
    except GraphTooLargeError as error:  # said in the command line's words: --max-nodes N
        _error(command, error.message("--max-nodes {}"))
        return USAGE_ERROR
    except ValueError as error:  # ExpressionError too: bad expression, values or options
        _error(command, str(error))
        return USAGE_ERROR
    except (RenderError, _OutputError) as error:
        _error(command, str(error))
        return FAILED
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: stop quietly
        _discard_stdout()
        return FAILED
    except OSError as error:  # stdout itself cannot be written (`> /dev/full`)
        _discard_stdout()
        _error(command, f"cannot write to standard output: {error.strerror or error}")
        return FAILED


class _OutputError(Exception):
    """The file given with -o cannot be written; the message is one line."""


def _error(command: str, message: str) -> None:
    print(f"{command}: error: {escaped(message)}", file=sys.stderr)


def _discard_stdout() -> None:
    # What is still buffered for stdout would fail again at exit, with a traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def escaped(text: str) -> str:
    r"""`text` with control and other non-printable characters shown as escapes; newlines kept.

    User input goes into messages; a raw escape sequence could rewrite the terminal.

    >>> print(escaped("x\x1b[31m + \ty"))
    x\x1b[31m + \ty
    """
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


def _save(save: Callable[[str], Path], path: str, default_suffix: str) -> None:
    """Write the output file atomically; any problem with it is one line naming the file and the reason.

    `save` writes into a private folder first; its bytes then replace the target with
    `write_atomically`, so a failure leaves an existing file as it was. A target that is
    a device or a FIFO (``/dev/stdout``) and has no suffix gets `default_suffix`'s format.
    """
    target = Path(path)
    if target.is_dir():
        raise _OutputError(
            f"cannot write {path!r}: it is a folder; give a file name such as out{default_suffix}"
        )
    special = target.exists() and not target.is_file()
    suffix = target.suffix or (default_suffix if special else "")
    try:  # Drawing.save writes atomically too (through write_atomically), so both steps may refuse
        with tempfile.TemporaryDirectory(prefix="gradwalk-") as folder:
            staged = os.path.join(folder, target.stem + suffix)
            try:
                data = Path(save(staged)).read_bytes()
            except ValueError as error:  # a suffix the format does not know: name the user's path
                raise ValueError(str(error).replace(repr(staged), repr(path)).replace(staged, path)) from None
        write_atomically(target, data)
    except OSError as error:
        missing = isinstance(error, FileNotFoundError)
        reason = f"{error.strerror or error}{': its folder does not exist' if missing else ''}"
        raise _OutputError(f"cannot write {path!r}: {reason}") from None


def _version() -> str:
    try:
        return importlib.metadata.version("gradwalk")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


class _Parser(argparse.ArgumentParser):
    """argparse, with the user's text in its messages escaped (subcommands' parsers are this class too)."""

    def error(self, message: str) -> NoReturn:
        super().error(escaped(message))


def _playground(arguments: list[str]) -> int:
    try:  # only this subcommand needs the playground extra (Starlette, uvicorn)
        from nn.playground.server import main as playground_main
    except ImportError as error:
        _error("gradwalk playground", str(error))
        return FAILED
    return playground_main(arguments)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gradwalk",
        description="See the computation graph of an expression, and how backprop computes each gradient.",
        epilog='run "gradwalk COMMAND --help" for examples',
    )
    parser.add_argument("--version", action="version", version=f"gradwalk {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    graph = commands.add_parser(
        "graph",
        help="draw the graph with every value and gradient",
        description="Build the expression's graph, run backward, and draw it with every value and gradient.",
        epilog=_GRAPH_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    walk = commands.add_parser(
        "walkthrough",
        help="the backward pass step by step, as an HTML page",
        description="The backward pass one node at a time, each chain-rule step in words and numbers.",
        epilog=_WALKTHROUGH_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands.add_parser(
        "exercises",
        help="backprop exercises to solve by hand (run: gradwalk exercises --help)",
        add_help=False,
    )
    commands.add_parser(
        "playground",
        help="the live Playground page in your browser (run: gradwalk playground --help)",
        add_help=False,
    )
    for command in (graph, walk):
        command.add_argument("expression", metavar="EXPR", help='e.g. "tanh(x*w + b)"')
        command.add_argument("values", metavar="NAME=NUMBER", nargs="*", help="a value for each variable")
        command.add_argument(
            "--rankdir", choices=RANKDIRS, default="LR", help="layout direction (default LR)"
        )
    graph.add_argument(
        "--max-nodes", type=int, default=1000, metavar="N", help="refuse larger graphs (default 1000)"
    )
    walk.add_argument(
        "--max-nodes", type=int, default=1000, metavar="N", help="refuse larger graphs (default 1000)"
    )
    walk.add_argument(
        "--digits", type=int, default=4, metavar="N", help="significant digits of every number (default 4)"
    )
    walk.add_argument("--forward", action="store_true", help="one frame per value of the forward pass first")
    walk.add_argument(
        "--quiz", action="store_true", help="ask each gradient before showing it (in the page, or here)"
    )
    walk.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="time limit for rendering (default 60)"
    )
    graph.add_argument(
        "-o", "--output", metavar="FILE", help="write the drawing here (default: DOT to stdout)"
    )
    graph.add_argument("--local-grads", action="store_true", help="write local derivatives on the edges")
    graph.add_argument("--no-grad", action="store_true", help="leave gradients out of the drawing")
    graph.add_argument(
        "--digits", type=int, default=4, metavar="N", help="significant digits of every number (default 4)"
    )
    graph.add_argument(
        "--summary", action="store_true", help="print the value and gradients only, no drawing"
    )
    walk.add_argument(
        "-o", "--output", metavar="FILE.html", help="write the HTML page (default: text to stdout)"
    )
    return parser


def _build(options: argparse.Namespace) -> Value:
    """The expression's graph, from the options' EXPR and NAME=NUMBER values; its output is labelled "out"."""
    expression = parse(options.expression)
    values = parse_values(options.values)
    check_all_used(expression, values, options.values)
    root = expression.evaluate(values)
    if root.parents and "out" not in values:  # so the text can say "out.grad" rather than "#5.grad"
        root.label = "out"
    return root


def _graph(options: argparse.Namespace) -> int:
    root = _build(options)
    root.backward()
    if not options.summary:
        drawing = draw(
            root,
            rankdir=options.rankdir,
            show_grad=not options.no_grad,
            show_local_grads=options.local_grads,
            max_nodes=options.max_nodes,
            digits=options.digits,
        )
        if options.output is None:
            print(drawing.source, end="")
            return 0
        _save(drawing.save, options.output, ".dot")
    print(f"{escaped(options.expression.strip())} = {number(root.data, options.digits)}")
    for node in topological_order(root):
        if node.label and not node.parents:  # the variables
            print(f"{node.label}.grad = {number(node.grad, options.digits)}")
    if options.output is not None and not options.summary:
        print(f"wrote {escaped(options.output)}")
    return 0


def _walkthrough(options: argparse.Namespace) -> int:
    walk = walkthrough(
        _build(options),
        rankdir=options.rankdir,
        max_nodes=options.max_nodes,
        digits=options.digits,
        forward=options.forward,
        quiz=options.quiz,
        timeout=options.timeout,
    )
    if options.output is None and options.quiz:
        return _quiz(walk)
    if options.output is None:
        print(escaped(str(walk)))
    else:
        _save(walk.save, options.output, ".html")
        print(f"wrote {escaped(options.output)} ({len(walk)} frames)")
    return 0


def _quiz(walk: Walkthrough) -> int:
    """The walkthrough in the terminal, asking each gradient (``NAME.grad = ?``) before showing it."""
    right = 0
    questions = walk.questions
    for frame in walk:
        question = frame.question
        print(f"\n{frame.title}")
        if question is not None:
            for attempt in (1, 2):
                try:
                    text = input(f"  {question.name}.grad = ? ")
                except EOFError:  # no more answers: stop, as a learner who leaves does
                    print(f"\nscore: {right}/{len(questions)}")
                    return 0
                try:
                    hint = question.grade(float(text.strip().replace("\u2212", "-")))
                except ValueError:
                    hint = f"{text.strip()!r} is not a number."
                if hint is None:
                    right += 1
                    print("  right")
                    break
                if attempt == 1:
                    print(f"  not quite. {hint}")
                else:
                    print(f"  {question.name}.grad = {question.shown}")
        for step in frame.steps:
            print(f"  {step}")
    print(f"\nscore: {right}/{len(questions)}")
    return 0
