"""A ``Tester`` of ExecuTorch's backend test harness, specialised for {{ cookiecutter.__backend_id }}.

It lowers with :class:`{{ cookiecutter.__partitioner_class }}`{% if cookiecutter.include_quantizer %} and quantizes with
:class:`{{ cookiecutter.__quantizer_class }}`{% endif %}; everything else is the harness's default pipeline
(export, to_edge_transform_and_lower, to_executorch, serialize, run and compare).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import torch
from executorch.backends.test.harness import Tester as HarnessTester
from executorch.backends.test.harness.stages import (
    Partition as HarnessPartition,
{%- if cookiecutter.include_quantizer %}
    Quantize as HarnessQuantize,
{%- endif %}
    StageType,
    ToEdgeTransformAndLower as HarnessToEdgeTransformAndLower,
)

from ..partition import {{ cookiecutter.__partitioner_class }}
{%- if cookiecutter.include_quantizer %}
from ..quantizer import {{ cookiecutter.__quantizer_class }}, get_{{ cookiecutter.backend_slug }}_quantization_config
{%- endif %}


class ToEdgeTransformAndLower(HarnessToEdgeTransformAndLower):
    def __init__(self, partitioners=None, edge_compile_config=None):
        super().__init__(
            default_partitioner_cls={{ cookiecutter.__partitioner_class }},
            partitioners=partitioners,
            edge_compile_config=edge_compile_config,
        )


class Partition(HarnessPartition):
    def __init__(self, partitioner=None):
        super().__init__(partitioner=partitioner or {{ cookiecutter.__partitioner_class }}())
{%- if cookiecutter.include_quantizer %}


class Quantize(HarnessQuantize):
    """PT2E quantization with the backend's quantizer (default config unless given)."""

    def __init__(
        self, quantization_config=None, calibrate=True, calibration_samples=None, is_qat=False
    ):
        # quantize/dequantize ops the partitioner leaves on the CPU (dynamic
        # activations, unclaimed operators) run on ExecuTorch's quantized
        # kernels; importing the module registers them before to_executorch().
        import executorch.kernels.quantized  # noqa: F401

        super().__init__(
            quantizer={{ cookiecutter.__quantizer_class }}(),
            quantization_config=quantization_config
            or get_{{ cookiecutter.backend_slug }}_quantization_config(is_qat=bool(is_qat)),
            calibrate=calibrate,
            calibration_samples=calibration_samples,
            is_qat=is_qat,
        )
{%- endif %}


class {{ cookiecutter.class_prefix }}Tester(HarnessTester):
    __test__ = False  # not a pytest test class

    def __init__(
        self,
        module: torch.nn.Module,
        example_inputs: Tuple[Any, ...],
        dynamic_shapes: Optional[Tuple[Any, ...]] = None,
        **kwargs: Any,
    ):
        stage_classes = HarnessTester.default_stage_classes() | {
            StageType.TO_EDGE_TRANSFORM_AND_LOWER: ToEdgeTransformAndLower,
            StageType.PARTITION: Partition,
{%- if cookiecutter.include_quantizer %}
            StageType.QUANTIZE: Quantize,
{%- endif %}
        }
        super().__init__(
            module=module,
            example_inputs=example_inputs,
            stage_classes=stage_classes,
            dynamic_shapes=dynamic_shapes,
            **kwargs,
        )
