"""The operators {{ cookiecutter.__backend_id }} runs: one table that everything else reads.

The partitioner claims exactly the nodes this table accepts, preprocess
serializes them with the opcode and params given here, the quantizer annotates
their ATen counterparts, and the docs' op-support table and the runtime tests
are generated from it. Supporting a new operator takes:

1. an entry in ``OP_SUPPORT`` below;
2. its opcode in ``serialization/FORMAT.md`` and ``serialization/blob_format.py``
   (``Opcode``, ``OPCODE_ARITY`` and the output shape rule of ``_check_op_shapes``);
3. the C++ side in ``runtime/``: the ``OpCode`` value in {{ cookiecutter.class_prefix }}Graph.h; its name,
   input count, shape rule and the known-opcode range in {{ cookiecutter.class_prefix }}Graph.cpp; a
   kernel in {{ cookiecutter.class_prefix }}Kernels.cpp and its dispatch in {{ cookiecutter.class_prefix }}Executor.cpp (and in
   the C++ tests' reference runner, ``tests/cpp/graph_runner.h``);
4. a model that uses it in the tests that cover every entry:
   ``tests/test_partitioner.py`` (``SUPPORTED``), ``tests/test_preprocess.py``
   (``EveryOp`` and ``FORMAT_SEMANTICS``){% if cookiecutter.include_quantizer %} and ``tests/test_quantizer.py`` (``EveryOp``){% endif %};
5. ``python scripts/sync_docs.py``, which rewrites the docs' operator lists.

Every entry accepts only float32 tensors of static shape and rank 0 to 8; an
entry's ``check`` adds the rules of that operator. Checks return the reason a
node is not supported (or ``None``), so that the partitioner can log why a
node stayed on the CPU and preprocess can refuse it with a clear message.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import torch
from executorch.exir.dialects._ops import ops as exir_ops
from torch.fx import Node

from .serialization.blob_format import MAX_RANK, Opcode

SUPPORTED_DTYPES: Tuple[torch.dtype, ...] = (torch.float32,)
# The rules every entry applies on top of its own ``constraints``.
COMMON_CONSTRAINTS = f"float32 tensors of static shape and rank 0 to {MAX_RANK}"
_FLOAT32_MAX = float(torch.finfo(torch.float32).max)


class OperandRole(enum.Enum):
    """What a tensor operand is to its op; the quantizer picks its qspec from this."""

    ACTIVATION = "activation"
    WEIGHT = "weight"
    # Always the last operand and optional (``linear`` without bias).
    BIAS = "bias"


Check = Callable[[Node], Optional[str]]
Params = Callable[[Node], Tuple[float, float]]


def argument(node: Node, name: str) -> Any:
    """The value of schema argument ``name`` of a call, with its default filled in.

    Works for ATen nodes (the quantizer's graph) and edge nodes alike, because
    both carry the operator schema.
    """
    schema = node.target._schema
    for index, arg in enumerate(schema.arguments):
        if arg.name != name:
            continue
        if not arg.kwarg_only and index < len(node.args):
            return node.args[index]
        if name in node.kwargs:
            return node.kwargs[name]
        return arg.default_value if arg.has_default_value() else None
    raise KeyError(f"{schema.name} has no argument {name!r}")


@dataclass(frozen=True)
class OpSupport:
    """One supported edge operator.

    Attributes:
        name: short name, as in FORMAT.md and in the partitioner's ``skip_ops``.
        edge_op: the edge-dialect overload the partitioner claims.
        opcode: the blob opcode preprocess writes.
        operands: role of each tensor operand, in schema order; these are the
            op record's inputs.
        constraints: the operator's rules in words (docs, op-support.csv).
        check: the same rules as code; returns why a node breaks them.
        params: the op record's two params (alpha, clamp bounds...).
        quantization: what PT2E quantization does to this op (docs).
        output_shares_input_qparams: a quantized output reuses the input's
            scale and zero point (true for clamping ops).
        keep_undecomposed: ask ``to_edge_transform_and_lower`` to keep the
            ATen op whole; needed for ops outside core ATen, which the edge
            dialect would otherwise decompose before the partitioner sees them.
        dtypes: tensor dtypes the op accepts.
    """

    name: str
    edge_op: Any
    opcode: Opcode
    operands: Tuple[OperandRole, ...]
    constraints: str
    check: Check
    params: Params
    quantization: str
    output_shares_input_qparams: bool = False
    keep_undecomposed: bool = False
    dtypes: Tuple[torch.dtype, ...] = SUPPORTED_DTYPES

    @property
    def aten_op(self) -> torch._ops.OpOverload:
        """The ATen overload behind the edge op (what ``ops_to_not_decompose`` names)."""
        return self.edge_op._op

    @property
    def aten_ops(self) -> Tuple[torch._ops.OpOverload, ...]:
        """ATen overloads the quantizer annotates: the op and its in-place form."""
        op = self.aten_op
        packet = getattr(torch.ops.aten, op.overloadpacket.__name__ + "_", None)
        inplace = getattr(packet, op._overloadname, None) if packet is not None else None
        return (op, inplace) if inplace is not None else (op,)

    def operand_nodes(self, node: Node) -> List[Optional[Node]]:
        """The tensor operands of ``node`` in blob order (an absent bias is None)."""
        schema = node.target._schema
        return [argument(node, arg.name) for arg in schema.arguments[: len(self.operands)]]

    def unsupported_reason(self, node: Node) -> Optional[str]:
        """Why this entry cannot run ``node``, or None when it can."""
        operands = self.operand_nodes(node)
        for role, operand in zip(self.operands, operands):
            if operand is None and role is OperandRole.BIAS:
                continue
            if not isinstance(operand, Node):
                return f"its {role.value} operand is {operand!r}, not a tensor"
            problem = _tensor_problem(operand.meta.get("val"), self.dtypes)
            if problem:
                return f"its {role.value} operand {operand.name} {problem}"
        problem = _tensor_problem(node.meta.get("val"), self.dtypes)
        if problem:
            return f"its output {problem}"
        return self.check(node)


def _tensor_problem(value: Any, dtypes: Tuple[torch.dtype, ...]) -> Optional[str]:
    if not isinstance(value, torch.Tensor):
        return f"is {type(value).__name__}, not a tensor"
    if value.dtype not in dtypes:
        allowed = ", ".join(str(d).replace("torch.", "") for d in dtypes)
        return f"has dtype {str(value.dtype).replace('torch.', '')}; supported: {allowed}"
    if value.dim() > MAX_RANK:
        return f"has rank {value.dim()}; the maximum is {MAX_RANK}"
    if not all(isinstance(size, int) for size in value.shape):
        return f"has a dynamic shape {list(value.shape)}; only static shapes are supported"
    return None


def _shape(node: Node, name: str) -> Tuple[int, ...]:
    return tuple(argument(node, name).meta["val"].shape)


def _number_problem(node: Node, name: str, allow_none: bool = False) -> Optional[str]:
    value = argument(node, name)
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{name} is {value!r}; only a number is supported"
    if math.isnan(value) or (math.isfinite(value) and abs(value) > _FLOAT32_MAX):
        return f"{name} is {value!r}, which float32 cannot hold"
    return None


# --- operator-specific checks ------------------------------------------------


def _no_extra_rules(node: Node) -> Optional[str]:
    return None


def _check_alpha(node: Node) -> Optional[str]:
    problem = _number_problem(node, "alpha")
    if problem is None and math.isinf(argument(node, "alpha")):
        problem = "alpha is infinite"
    return problem


def _check_clamp(node: Node) -> Optional[str]:
    return _number_problem(node, "min", allow_none=True) or _number_problem(
        node, "max", allow_none=True
    )


def _check_hardtanh(node: Node) -> Optional[str]:
    return _number_problem(node, "min_val") or _number_problem(node, "max_val")


def _check_linear(node: Node) -> Optional[str]:
    x, weight = _shape(node, "input"), _shape(node, "weight")
    if len(weight) != 2 or len(x) < 1 or x[-1] != weight[1]:
        return f"input {list(x)} and weight {list(weight)} are not [..., in] and [out, in]"
    if argument(node, "bias") is not None and _shape(node, "bias") != (weight[0],):
        return f"bias {list(_shape(node, 'bias'))} is not [{weight[0]}]"
    return None


def _check_ranks(rank: int) -> Check:
    def check(node: Node) -> Optional[str]:
        a, b = _shape(node, "self"), _shape(node, "mat2")
        if len(a) != rank or len(b) != rank:
            return f"operands have ranks {len(a)} and {len(b)}; both must be {rank}"
        return None

    return check


# --- params ------------------------------------------------------------------


def _no_params(node: Node) -> Tuple[float, float]:
    return (0.0, 0.0)


def _alpha(node: Node) -> Tuple[float, float]:
    return (float(argument(node, "alpha")), 0.0)


def _clamp_bounds(node: Node) -> Tuple[float, float]:
    low, high = argument(node, "min"), argument(node, "max")
    return (
        -math.inf if low is None else float(low),
        math.inf if high is None else float(high),
    )


def _hardtanh_bounds(node: Node) -> Tuple[float, float]:
    return (float(argument(node, "min_val")), float(argument(node, "max_val")))


# --- the table ---------------------------------------------------------------

_ACT = OperandRole.ACTIVATION
_STATIC_INT8 = "PT2E static int8 activations"
_BROADCAST = "a and b broadcast like PyTorch"

# HARDWARE-INTEGRATION: list the operators your hardware runs, with the
# rules it imposes; each new opcode also needs FORMAT.md and a runtime kernel.
OP_SUPPORT: Tuple[OpSupport, ...] = (
    OpSupport(
        name="add",
        edge_op=exir_ops.edge.aten.add.Tensor,
        opcode=Opcode.ADD,
        operands=(_ACT, _ACT),
        constraints=f"{_BROADCAST}; alpha is a finite number",
        check=_check_alpha,
        params=_alpha,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="sub",
        edge_op=exir_ops.edge.aten.sub.Tensor,
        opcode=Opcode.SUB,
        operands=(_ACT, _ACT),
        constraints=f"{_BROADCAST}; alpha is a finite number",
        check=_check_alpha,
        params=_alpha,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="mul",
        edge_op=exir_ops.edge.aten.mul.Tensor,
        opcode=Opcode.MUL,
        operands=(_ACT, _ACT),
        constraints=_BROADCAST,
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="div",
        # div.Tensor_mode (rounding_mode="floor"/"trunc") is another overload,
        # so it never matches this entry and stays on the CPU.
        edge_op=exir_ops.edge.aten.div.Tensor,
        opcode=Opcode.DIV,
        operands=(_ACT, _ACT),
        constraints=f"{_BROADCAST}; true division only (no rounding_mode)",
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="relu",
        edge_op=exir_ops.edge.aten.relu.default,
        opcode=Opcode.RELU,
        operands=(_ACT,),
        constraints="any shape",
        check=_no_extra_rules,
        params=_no_params,
        quantization=f"{_STATIC_INT8}; the output shares the input's qparams",
        output_shares_input_qparams=True,
    ),
    OpSupport(
        name="sigmoid",
        edge_op=exir_ops.edge.aten.sigmoid.default,
        opcode=Opcode.SIGMOID,
        operands=(_ACT,),
        constraints="any shape",
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="tanh",
        edge_op=exir_ops.edge.aten.tanh.default,
        opcode=Opcode.TANH,
        operands=(_ACT,),
        constraints="any shape",
        check=_no_extra_rules,
        params=_no_params,
        quantization=_STATIC_INT8,
    ),
    OpSupport(
        name="hardtanh",
        edge_op=exir_ops.edge.aten.hardtanh.default,
        opcode=Opcode.CLAMP,
        operands=(_ACT,),
        constraints="min_val and max_val are numbers (relu6 becomes hardtanh)",
        check=_check_hardtanh,
        params=_hardtanh_bounds,
        quantization=f"{_STATIC_INT8}; the output shares the input's qparams",
        output_shares_input_qparams=True,
    ),
    OpSupport(
        name="clamp",
        # clamp.Tensor (tensor min/max) is another overload and stays on the CPU.
        edge_op=exir_ops.edge.aten.clamp.default,
        opcode=Opcode.CLAMP,
        operands=(_ACT,),
        constraints="min and max are numbers or absent; tensor min/max are not supported",
        check=_check_clamp,
        params=_clamp_bounds,
        quantization=f"{_STATIC_INT8}; the output shares the input's qparams",
        output_shares_input_qparams=True,
    ),
    OpSupport(
        name="linear",
        edge_op=exir_ops.edge.aten.linear.default,
        opcode=Opcode.LINEAR,
        operands=(_ACT, OperandRole.WEIGHT, OperandRole.BIAS),
        constraints="input [..., in], weight [out, in], optional bias [out]",
        check=_check_linear,
        params=_no_params,
        quantization=(
            "PT2E int8 weights (per-channel or per-tensor) with static or dynamic "
            "int8 activations, or weight-only"
        ),
        # Otherwise the edge dialect splits it into permute_copy + addmm/mm.
        keep_undecomposed=True,
    ),
    OpSupport(
        name="mm",
        edge_op=exir_ops.edge.aten.mm.default,
        opcode=Opcode.MM,
        operands=(_ACT, _ACT),
        constraints="a [n, k], b [k, m]",
        check=_check_ranks(2),
        params=_no_params,
        quantization=f"{_STATIC_INT8} on both operands",
    ),
    OpSupport(
        name="bmm",
        edge_op=exir_ops.edge.aten.bmm.default,
        opcode=Opcode.BMM,
        operands=(_ACT, _ACT),
        constraints="a [b, n, k], b [b, k, m]",
        check=_check_ranks(3),
        params=_no_params,
        quantization=f"{_STATIC_INT8} on both operands",
    ),
)

OP_SUPPORT_BY_NAME: Mapping[str, OpSupport] = {entry.name: entry for entry in OP_SUPPORT}

# Edge ops (partitioner, preprocess) and ATen ops (quantizer,
# ops_to_not_decompose) both resolve to their entry.
_BY_TARGET: Dict[Any, OpSupport] = {}
for _entry in OP_SUPPORT:
    for _target in (_entry.edge_op, *_entry.aten_ops):
        _BY_TARGET[_target] = _entry


def lookup(target: Any) -> Optional[OpSupport]:
    """The entry for an edge or ATen operator, or None when it is not supported."""
    try:
        return _BY_TARGET.get(target)
    except TypeError:  # unhashable targets (some higher-order ops)
        return None


def why_unsupported(node: Node) -> Optional[str]:
    """Why the backend cannot run ``node``, or None when it can."""
    if node.op != "call_function":
        return f"it is a {node.op} node"
    entry = lookup(node.target)
    if entry is None:
        return f"{node.target} is not in the operator-support table"
    return entry.unsupported_reason(node)


def _self_check() -> None:
    # The operands of every entry are its leading Tensor arguments; catch a
    # table edit that breaks this at import rather than in a lowered model.
    for entry in OP_SUPPORT:
        arguments = entry.edge_op._schema.arguments
        for role, arg in zip(entry.operands, arguments):
            if "Tensor" not in str(arg.type):
                raise TypeError(f"operand {arg.name} of {entry.name} is not a tensor argument")
        if OperandRole.BIAS in entry.operands[:-1]:
            raise TypeError(f"{entry.name}: a bias operand must come last")


_self_check()

