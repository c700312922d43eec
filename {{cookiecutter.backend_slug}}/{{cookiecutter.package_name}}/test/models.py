"""Reference networks built from ``torch.nn`` (no downloads), shared by the tests and the benchmarks.

``MODELS`` maps a name to a :class:`ModelCase`: how to build the network in
eval mode with deterministic weights, and its example inputs. The generated
tests lower each one whole and compare it with eager PyTorch; the template's
benchmarks time the same networks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Tuple

import torch
import torch.nn.functional as F


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
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 project, residual when shapes allow.

    ``activation`` is ReLU6 as in MobileNetV2, or Hardswish as in MobileNetV3's later blocks.
    """

    def __init__(
        self, cin: int, cout: int, stride: int, expand: int = 4, activation=torch.nn.ReLU6
    ) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        self.block = torch.nn.Sequential(
            torch.nn.Conv2d(cin, hidden, 1, bias=False),
            torch.nn.BatchNorm2d(hidden),
            activation(),
            torch.nn.Conv2d(hidden, hidden, 3, stride=stride, padding=1, groups=hidden, bias=False),
            torch.nn.BatchNorm2d(hidden),
            activation(),
            torch.nn.Conv2d(hidden, cout, 1, bias=False),
            torch.nn.BatchNorm2d(cout),
        )

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_residual else y


class MobileNetV2Small(torch.nn.Module):
    """Stem, inverted residuals (with and without stride and residual, ReLU6 and Hardswish),
    global pooling, classifier."""

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
            InvertedResidual(16, 16, 1, activation=torch.nn.Hardswish),
        )
        self.classifier = torch.nn.Linear(16, classes)

    def forward(self, x):
        # x.mean over H and W is global average pooling (AdaptiveAvgPool2d(1) +
        # flatten adds a view_copy, a shape operator).
        return self.classifier(self.blocks(self.stem(x)).mean((2, 3)))


class LlmBlock(torch.nn.Module):
    """Pre-norm decoder block: RMSNorm, q/k/v/o projections, causal attention, SiLU-gated MLP."""

    def __init__(self, dim: int = 32, heads: int = 4, hidden: int = 64) -> None:
        super().__init__()
        self.heads = heads
        self.attention_norm = torch.nn.RMSNorm(dim)
        self.mlp_norm = torch.nn.RMSNorm(dim)
        self.q = torch.nn.Linear(dim, dim, bias=False)
        self.k = torch.nn.Linear(dim, dim, bias=False)
        self.v = torch.nn.Linear(dim, dim, bias=False)
        self.o = torch.nn.Linear(dim, dim, bias=False)
        self.gate = torch.nn.Linear(dim, hidden, bias=False)
        self.up = torch.nn.Linear(dim, hidden, bias=False)
        self.down = torch.nn.Linear(hidden, dim, bias=False)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        return x.view(batch, length, self.heads, dim // self.heads).transpose(1, 2)

    def forward(self, x):
        batch, length, dim = x.shape
        y = self.attention_norm(x)
        q, k, v = self._heads(self.q(y)), self._heads(self.k(y)), self._heads(self.v(y))
        attention = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(attention.transpose(1, 2).reshape(batch, length, dim))
        y = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class MaskedAttention(torch.nn.Module):
    """nn.MultiheadAttention with an additive float mask (a band of visible positions)."""

    def __init__(self, dim: int = 32, heads: int = 4, length: int = 6) -> None:
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
        positions = torch.arange(length)
        band = (positions[None, :] - positions[:, None]).abs() <= 2
        self.register_buffer("mask", torch.zeros(length, length).masked_fill(~band, float("-inf")))

    def forward(self, x):
        return self.attention(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class Recurrent(torch.nn.Module):
    """A one-layer GRU or LSTM over the sequence, returning every step's output."""

    def __init__(self, kind: type) -> None:
        super().__init__()
        self.rnn = kind(16, 32, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0]


def encoder_layer() -> torch.nn.Module:
    return torch.nn.TransformerEncoderLayer(
        32, 4, 64, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    )


def randomize_batch_norm(model: torch.nn.Module) -> torch.nn.Module:
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


@dataclass(frozen=True)
class ModelCase:
    """A reference network: ``build()`` gives it in eval mode, ``inputs()`` its example inputs."""

    make: Callable[[], torch.nn.Module]
    input_shapes: Tuple[Tuple[int, ...], ...]

    def build(self) -> torch.nn.Module:
        torch.manual_seed(0)
        return randomize_batch_norm(self.make())

    def inputs(self) -> Tuple[torch.Tensor, ...]:
        generator = torch.Generator().manual_seed(1)
        return tuple(torch.randn(shape, generator=generator) for shape in self.input_shapes)


MODELS: Dict[str, ModelCase] = {
    "tiny_cnn": ModelCase(TinyCNN, ((1, 3, 16, 16),)),
    "resnet_block": ModelCase(ResidualBlock, ((2, 8, 8, 8),)),
    "mobilenet_v2_small": ModelCase(MobileNetV2Small, ((1, 3, 32, 32),)),
    "transformer_encoder_layer": ModelCase(encoder_layer, ((2, 8, 32),)),
    "llm_block": ModelCase(LlmBlock, ((1, 8, 32),)),
    "mha_float_mask": ModelCase(MaskedAttention, ((2, 6, 32),)),
    "gru": ModelCase(lambda: Recurrent(torch.nn.GRU), ((2, 5, 16),)),
    "lstm": ModelCase(lambda: Recurrent(torch.nn.LSTM), ((2, 5, 16),)),
}
