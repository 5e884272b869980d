"""User-defined ops made with `autograd.op`: node shape, arguments, validation, wrapping."""

import inspect
import math

import numpy as np
import pytest

from autograd import Value, detect_anomaly, no_grad, op, recompute


@op("cube")
def cube(x: float) -> tuple[float, tuple[float, ...]]:
    """x cubed."""
    return x**3, (3 * x**2,)


@op("affine")
def affine(w: float, x: float, b: float = 1.0) -> tuple[float, tuple[float, ...]]:
    return w * x + b, (x, w, 1.0)


@op("total")
def total(*xs: float) -> tuple[float, tuple[float, ...]]:
    return sum(xs), (1.0,) * len(xs)


def test_the_issue_example_makes_a_node_like_the_built_ins():
    x = Value(2.0, label="x")
    y = cube(x)
    assert isinstance(y, Value)
    assert (y.data, y.op, y.local_grads) == (8.0, "cube", (12.0,))
    assert y.parents == (x,) and y.parents[0] is x
    assert y.label == "" and y.grad == 0.0


def test_backward_flows_through_a_user_op_and_built_ins_alike():
    x = Value(0.5)
    loss = (cube(x * 2) + x).tanh()
    loss.backward()
    inner = (2 * 0.5) ** 3 + 0.5  # d/dx tanh(8x^3 + x) = (1 - tanh^2) (24 x^2 + 1)
    assert x.grad == pytest.approx((1 - math.tanh(inner) ** 2) * (24 * 0.25 + 1), rel=1e-12)


def test_plain_numbers_become_constant_leaves():
    w = Value(3.0)
    y = affine(w, 2.0, 0.5)
    assert y.data == 6.5 and y.local_grads == (2.0, 3.0, 1.0)
    assert y.parents[0] is w
    assert [(p.data, p.op, p.parents) for p in y.parents[1:]] == [(2.0, "", ()), (0.5, "", ())]


def test_floats_only_still_make_a_node():
    y = cube(3)
    assert (y.data, y.local_grads, y.parents[0].data) == (27.0, (27.0,), 3.0)


def test_many_arguments_each_get_their_derivative():
    xs = [Value(float(i)) for i in range(1, 8)]
    s = total(*xs)
    s.backward()
    assert s.data == 28.0 and len(s.parents) == 7
    assert [x.grad for x in xs] == [1.0] * 7


def test_keyword_arguments_are_bound_in_the_order_of_the_signature():
    w, x = Value(2.0, label="w"), Value(5.0, label="x")
    y = affine(x=x, b=0.0, w=w)
    assert y.parents[:2] == (w, x)
    assert (y.data, y.local_grads) == (10.0, (5.0, 2.0, 1.0))


def test_a_defaulted_argument_is_an_input_too():
    y = affine(Value(2.0), Value(3.0))
    assert y.data == 7.0 and len(y.parents) == 3 and y.parents[2].data == 1.0


def test_a_keyword_only_parameter_is_refused_when_decorating():
    with pytest.raises(TypeError, match=r"op 'scale': every argument must be positional.*\['k'\]"):

        @op("scale")
        def scale(x: float, *, k: float = 2.0) -> tuple[float, tuple[float, ...]]:
            return x * k, (k,)


def test_the_op_keeps_the_functions_name_docstring_and_signature():
    assert cube.__name__ == "cube" and cube.__doc__ == "x cubed."
    assert cube.__qualname__ == "cube"
    assert str(inspect.signature(affine)) == str(inspect.signature(affine.__wrapped__))
    assert list(inspect.signature(affine).parameters) == ["w", "x", "b"]


def test_the_wrong_number_of_arguments_is_a_clear_type_error():
    with pytest.raises(TypeError, match=r"op 'cube': too many positional arguments"):
        cube(1.0, 2.0)
    with pytest.raises(TypeError, match=r"op 'affine'.*'x'"):
        affine(1.0)


def test_an_argument_that_is_not_a_number_is_named():
    with pytest.raises(TypeError, match=r"real number, got str: 'two'"):
        cube("two")


def test_a_wrong_length_derivative_tuple_is_reported_with_both_counts():
    @op("two_grads")
    def two_grads(x: float) -> tuple[float, tuple[float, ...]]:
        return x, (1.0, 2.0)

    with pytest.raises(ValueError, match=r"'two_grads' takes 1 input\(s\) but returned 2 local derivative"):
        two_grads(Value(1.0))


def test_a_derivative_that_is_not_a_number_is_named():
    @op("stringly")
    def stringly(x: float) -> tuple[float, tuple[float, ...]]:
        return x, ("1",)  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"'stringly' must return real numbers as local derivatives, got str"):
        stringly(Value(1.0))
    with pytest.raises(TypeError, match="got NoneType"):
        op("none")(lambda x: (x, (None,)))(1.0)
    with pytest.raises(TypeError, match="got bool"):
        op("boolean")(lambda x: (x, (True,)))(1.0)


def test_a_bare_number_instead_of_a_tuple_of_derivatives_is_refused():
    with pytest.raises(TypeError, match=r"'bare' must return its local derivatives as a tuple, got 2.0"):
        op("bare")(lambda x: (x, 2.0))(1.0)


def test_a_result_that_is_not_a_value_derivatives_pair_is_refused():
    with pytest.raises(TypeError, match=r"'single' must return \(value, local_derivatives\), got 1.0"):
        op("single")(lambda x: x)(1.0)
    with pytest.raises(TypeError, match=r"must return a real number as its value, got str"):
        op("text")(lambda x: ("one", (1.0,)))(1.0)


def test_numpy_scalars_are_accepted_and_stored_as_floats():
    y = op("np")(lambda x: (np.float64(x) * 2, (np.float32(2.0),)))(Value(1.5))
    assert (y.data, y.local_grads) == (3.0, (2.0,))
    assert type(y.data) is float and type(y.local_grads[0]) is float


def test_an_op_needs_a_non_empty_name():
    with pytest.raises(TypeError, match="non-empty name"):
        op("")
    with pytest.raises(TypeError, match="non-empty name"):
        op(3)  # type: ignore[arg-type]


def test_recompute_reruns_the_users_function():
    node = affine(Value(2.0), Value(3.0), Value(4.0))
    assert recompute(node) == 10.0
    assert recompute(node, [1.0, 1.0, 1.0]) == 2.0
    assert node.data == 10.0  # unchanged


def test_no_grad_makes_a_user_op_a_leaf():
    with no_grad():
        y = cube(Value(2.0))
    assert (y.data, y.parents, y.local_grads, y.op) == (8.0, (), (), "")


def test_detect_anomaly_sees_a_user_op_make_nan():
    @op("unsafe_log")
    def unsafe_log(x: float) -> tuple[float, tuple[float, ...]]:
        return (math.log(x) if x > 0 else math.nan), (1 / x,)

    with detect_anomaly(), pytest.raises(FloatingPointError, match="unsafe_log produced nan"):
        unsafe_log(Value(-1.0))
