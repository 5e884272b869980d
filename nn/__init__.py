"""gradwalk's neural-network library, built on `autograd` with PyTorch's names.

The training loop, written out: forward, zero_grad, backward, step.

>>> import nn
>>> model = nn.Neuron(1, activation="linear", init="zeros")
>>> optimizer = nn.SGD(model.parameters(), lr=0.1)
>>> X, y = [[1.0], [2.0], [3.0]], [3.0, 5.0, 7.0]   # y = 2x + 1
>>> for step in range(1000):
...     loss = nn.mse_loss([model(x) for x in X], y)
...     optimizer.zero_grad()
...     loss.backward()
...     optimizer.step()
>>> round(model.w[0].data, 6), round(model.b.data, 6)
(2.0, 1.0)
"""

from nn import data, init
from nn.compiled import CompiledStep, compile_step
from nn.generator import manual_seed
from nn.layers import (
    ELU,
    RNN,
    AdaptiveAvgPool1d,
    AdaptiveMaxPool1d,
    AvgPool1d,
    Conv1d,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    MaxPool1d,
    ReLU,
    Residual,
    Sequential,
    Sigmoid,
    Softplus,
    Tanh,
)
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
)
from nn.module import MLP, Dropout, IncompatibleKeys, Layer, Module, Neuron
from nn.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from nn.schedulers import LambdaLR, LinearLR, LRScheduler, StepLR
from nn.serialization import load, save
from nn.training import History, accuracy, fit

__all__ = [
    "ELU",
    "MLP",
    "RNN",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "AvgPool1d",
    "CompiledStep",
    "Conv1d",
    "Dropout",
    "Flatten",
    "History",
    "Identity",
    "IncompatibleKeys",
    "LRScheduler",
    "LambdaLR",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LinearLR",
    "MaxPool1d",
    "Module",
    "Neuron",
    "Optimizer",
    "RMSprop",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Softplus",
    "StepLR",
    "Tanh",
    "accuracy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "compile_step",
    "cross_entropy",
    "data",
    "fit",
    "hinge_loss",
    "init",
    "l1_loss",
    "l1_penalty",
    "l2_penalty",
    "load",
    "manual_seed",
    "mse_loss",
    "save",
]
