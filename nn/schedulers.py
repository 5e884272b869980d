"""Learning-rate schedules (PyTorch's `torch.optim.lr_scheduler` names and rules).

A scheduler sets ``optimizer.lr``. Building one counts as epoch 0 and sets that
epoch's rate; call `step` once per epoch, after the optimizer's steps:

    scheduler = nn.StepLR(optimizer, step_size=30)
    for epoch in range(100):
        ...                # optimizer.step() for each batch
        scheduler.step()
"""

from __future__ import annotations

from collections.abc import Callable

from nn import _checks
from nn.optim import Optimizer


class LRScheduler:
    """Base class: counts epochs in ``last_epoch`` and sets the optimizer's ``lr`` for each."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler takes an nn optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = -1
        self.step()

    def _lr(self) -> float:
        """The learning rate for epoch ``last_epoch``, given the optimizer's current one."""
        raise NotImplementedError(f"{type(self).__name__} must define _lr()")

    def step(self) -> None:
        """Move to the next epoch and set its learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self._lr()
        self._last_lr = self.optimizer.lr

    def get_last_lr(self) -> list[float]:
        """The learning rate this scheduler set last, as a one-item list (PyTorch's form)."""
        return [self._last_lr]


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs (step decay).

    >>> from autograd import Value
    >>> from nn.optim import SGD
    >>> optimizer = SGD([Value(1.0)], lr=1.0)
    >>> scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    >>> rates = [optimizer.lr]
    >>> for _ in range(5):
    ...     scheduler.step(); rates.append(optimizer.lr)
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _checks.integer(step_size, "step_size", minimum=1)
        self.gamma = _checks.real(gamma, "gamma")
        super().__init__(optimizer)

    def _lr(self) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.optimizer.lr
        return self.optimizer.lr * self.gamma


class LinearLR(LRScheduler):
    """Scale the initial learning rate by a factor going linearly from ``start_factor`` at
    epoch 0 to ``end_factor`` at epoch ``total_iters``, then staying there (linear decay).

    micrograd's demo schedule, ``lr = 1.0 - 0.9 * k / 100``, is
    ``LinearLR(SGD(params, lr=1.0), start_factor=1.0, end_factor=0.1, total_iters=100)``.

    >>> from autograd import Value
    >>> from nn.optim import SGD
    >>> optimizer = SGD([Value(1.0)], lr=1.0)
    >>> scheduler = LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=100)
    >>> for _ in range(50):
    ...     scheduler.step()
    >>> round(optimizer.lr, 12)
    0.55
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        self.start_factor = _checks.real(start_factor, "start_factor")
        if not 0.0 < self.start_factor <= 1.0:
            raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
        self.end_factor = _checks.real(end_factor, "end_factor")
        if not 0.0 <= self.end_factor <= 1.0:
            raise ValueError(f"end_factor must be in [0, 1], got {end_factor!r}")
        self.total_iters = _checks.integer(total_iters, "total_iters", minimum=1)
        super().__init__(optimizer)

    def _lr(self) -> float:
        # PyTorch's chainable form: each epoch multiplies the current rate by the ratio
        # of this epoch's factor to the last one's.
        if self.last_epoch == 0:
            return self.optimizer.lr * self.start_factor
        if self.last_epoch > self.total_iters:
            return self.optimizer.lr
        change = self.end_factor - self.start_factor
        previous = self.total_iters * self.start_factor + (self.last_epoch - 1) * change
        return self.optimizer.lr * (1.0 + change / previous)


class LambdaLR(LRScheduler):
    """Set the learning rate to the initial one times ``lr_lambda(epoch)``.

    >>> from autograd import Value
    >>> from nn.optim import SGD
    >>> optimizer = SGD([Value(1.0)], lr=1.0)
    >>> scheduler = LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)
    >>> scheduler.step(); optimizer.lr
    0.991
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"lr_lambda must be a function of the epoch, got {type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def _lr(self) -> float:
        return self.base_lr * _checks.real(self.lr_lambda(self.last_epoch), "lr_lambda(epoch)")
