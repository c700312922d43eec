"""Convolutional networks built from torch.nn, lowered whole and run on the C++ delegate.

Each model is exported, lowered with the partitioner and run from a .pte through
ExecuTorch's Python runtime; the test checks that no operator stayed on the CPU
(one delegate call holds the whole network) and that the output matches eager
PyTorch in float32.
"""

from __future__ import annotations

import pytest
import torch
from conftest import assert_matches_eager, compile_to_pte, run_pte

from {{ cookiecutter.package_name }} import load_runtime

# Builds or runs the C++ runtime: deselect with -m "not slow".
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def runtime_library():
    return load_runtime()


class TinyCNN(torch.nn.Module):
    """conv -> relu -> max pool -> conv -> relu -> avg pool -> global mean -> linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.avg = torch.nn.AvgPool2d(2)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.avg(torch.relu(self.conv2(x)))
        return self.fc(x.mean((2, 3)))


class ResidualBlock(torch.nn.Module):
    """ResNet basic block with a strided 1x1 projection shortcut."""

    def __init__(self, cin: int = 8, cout: int = 16) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.shortcut = torch.nn.Sequential(
            torch.nn.Conv2d(cin, cout, 1, stride=2, bias=False), torch.nn.BatchNorm2d(cout)
        )

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.shortcut(x))


class InvertedResidual(torch.nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 project, residual when shapes allow."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int = 4) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        self.block = torch.nn.Sequential(
            torch.nn.Conv2d(cin, hidden, 1, bias=False),
            torch.nn.BatchNorm2d(hidden),
            torch.nn.ReLU6(),
            torch.nn.Conv2d(hidden, hidden, 3, stride=stride, padding=1, groups=hidden, bias=False),
            torch.nn.BatchNorm2d(hidden),
            torch.nn.ReLU6(),
            torch.nn.Conv2d(hidden, cout, 1, bias=False),
            torch.nn.BatchNorm2d(cout),
        )

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_residual else y


class MobileNetV2Small(torch.nn.Module):
    """Stem, inverted residuals (with and without stride and residual), global pooling, classifier."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
            torch.nn.BatchNorm2d(8),
            torch.nn.ReLU6(),
        )
        self.blocks = torch.nn.Sequential(
            InvertedResidual(8, 8, 1),
            InvertedResidual(8, 16, 2),
            InvertedResidual(16, 16, 1),
        )
        self.classifier = torch.nn.Linear(16, classes)

    def forward(self, x):
        # x.mean over H and W is global average pooling (AdaptiveAvgPool2d(1) +
        # flatten adds a view_copy, a shape operator).
        return self.classifier(self.blocks(self.stem(x)).mean((2, 3)))


def _randomize_batch_norm(model: torch.nn.Module) -> torch.nn.Module:
    """Non-trivial running statistics and affine parameters, so batch norm is really tested."""
    generator = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            size = module.num_features
            module.running_mean.copy_(torch.randn(size, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(size, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(size, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(size, generator=generator) * 0.1)
    return model.eval()


MODELS = [
    pytest.param(TinyCNN, (1, 3, 16, 16), id="tiny_cnn"),
    pytest.param(ResidualBlock, (2, 8, 8, 8), id="resnet_block"),
    pytest.param(MobileNetV2Small, (1, 3, 32, 32), id="mobilenet_v2_small"),
]


@pytest.mark.parametrize("model_class, shape", MODELS)
def test_cnn_is_delegated_whole_and_matches_eager(model_class, shape, lower, tmp_path):
    torch.manual_seed(0)
    model = _randomize_batch_norm(model_class())
    inputs = (torch.randn(shape),)
    compiled = compile_to_pte(lower, model, inputs, tmp_path / "model.pte")
    assert compiled.cpu_ops == [], f"left on the CPU: {compiled.cpu_ops}"
    assert len(compiled.blobs) == 1, "the whole network should be one delegate"
    assert_matches_eager(model, inputs, run_pte(compiled, inputs))
