"""The ``gradwalk`` command (also ``python -m autograd``): graphs and walkthroughs of an expression.

gradwalk graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o graph.svg
gradwalk walkthrough "tanh(x*w + b)" x=2 w=-3 b=6.88 -o walk.html
gradwalk exercises list
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from autograd.draw import RANKDIRS, SAVE_FORMATS, GraphTooLargeError, draw
from autograd.engine import Value, topological_order
from autograd.expression import FUNCTIONS, check_all_used, parse, parse_values
from autograd.naming import number
from autograd.render import RenderError
from autograd.walkthrough import walkthrough

__all__ = ["main"]

USAGE_ERROR = 2  # as argparse: bad expression, variables or options
FAILED = 1  # the renderer failed, or stdout was closed

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

The HTML page is self-contained: open it in any browser, step with the buttons,
the slider or the arrow keys.
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
    options = _parser().parse_args(arguments)
    try:
        if options.command == "graph":
            return _graph(options)
        return _walkthrough(options)
    except GraphTooLargeError as error:  # said in the command line's words: --max-nodes N
        print(f"gradwalk {options.command}: error: {error.message('--max-nodes {}')}", file=sys.stderr)
        return USAGE_ERROR
    except ValueError as error:  # ExpressionError too: bad expression, values or options
        print(f"gradwalk {options.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except RenderError as error:
        print(f"gradwalk {options.command}: error: {error}", file=sys.stderr)
        return FAILED
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradwalk",
        description="See the computation graph of an expression, and how backprop computes each gradient.",
        epilog='run "gradwalk COMMAND --help" for examples',
    )
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
        "--max-nodes", type=int, default=100, metavar="N", help="refuse larger graphs (default 100)"
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
        drawing.save(options.output)
    print(f"{options.expression.strip()} = {number(root.data, options.digits)}")
    for node in topological_order(root):
        if node.label and not node.parents:  # the variables
            print(f"{node.label}.grad = {number(node.grad, options.digits)}")
    if options.output is not None and not options.summary:
        print(f"wrote {options.output}")
    return 0


def _walkthrough(options: argparse.Namespace) -> int:
    walk = walkthrough(_build(options), rankdir=options.rankdir, max_nodes=options.max_nodes)
    if options.output is None:
        print(walk)
    else:
        walk.save(options.output)
        print(f"wrote {options.output} ({len(walk)} frames)")
    return 0
