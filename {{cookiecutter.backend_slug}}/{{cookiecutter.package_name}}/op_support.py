"""The operators {{ cookiecutter.__backend_id }} runs: one table that everything else reads.

Each ``OpSupport`` entry below is the single definition of an operator: the
edge overload it claims, its tensor operands (with their roles), its
attributes (names and types), the rule its output shape follows, its dtypes,
what quantization does to it, and the text of the docs. The partitioner
claims the nodes the table accepts, preprocess writes them as op records, the
quantizer annotates their ATen counterparts, and ``python scripts/generate.py``
writes everything else that must agree with the table: the blob's opcode
schemas (``serialization/op_schema.py``, FORMAT.md's opcode table), the C++
opcode enum, attribute schema and dispatch table (``runtime/generated/``) and
the docs' operator lists. The generated tests lower and run every entry's
``samples`` on the C++ runtime and compare with eager PyTorch.

Supporting a new operator takes
(docs/guides/{{ cookiecutter.backend_slug }}-adding-an-operator.md walks through two):

1. an entry in ``OP_SUPPORT`` below, with a new ``opcode``; an operator with
   attributes declares them in ``attrs``;
2. its kernel, ``runtime/ops/<name>.cpp``: one function ``run_<name>``;
3. ``python scripts/generate.py``.

A table entry without its kernel fails the C++ build, naming the operator; a
kernel without a table entry, or a generated file older than the table, fails
the tests.

Every entry accepts only float32 tensors of static shape and rank 0 to 8;
``check`` adds the rules of one operator. Checks return the reason a node is
not supported (or ``None``), so that the partitioner can log why a node stayed
on the CPU and preprocess can refuse it with a clear message.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from executorch.exir.dialects._ops import ops as exir_ops
from torch.fx import Node
from torch.fx.operator_schemas import normalize_function

from .serialization.blob_format import MAX_RANK
from .serialization.schema_types import AttrType, ShapeRule

SUPPORTED_DTYPES: Tuple[torch.dtype, ...] = (torch.float32,)
# The rules every entry applies on top of its own ``constraints``.
COMMON_CONSTRAINTS = f"float32 tensors of static shape and rank 0 to {MAX_RANK}"
_FLOAT32_MAX = float(torch.finfo(torch.float32).max)

AttrValue = Any  # int, float, bool, or a tuple of ints or floats


class OperandRole(enum.Enum):
    """What a tensor operand is to its op; the quantizer picks its qspec from this."""

    ACTIVATION = "activation"
    WEIGHT = "weight"
    # Always the last operand and optional (``linear`` without bias).
    BIAS = "bias"


@dataclass(frozen=True)
class Operand:
    """One tensor operand, in schema order: one input of the op record.

    ``name`` is the argument's name in the operator's schema (``self``,
    ``other``, ``weight``...); an absent optional operand is written as
    "no tensor".
    """

    name: str
    role: OperandRole = OperandRole.ACTIVATION
    optional: bool = False


class UnsupportedValue(ValueError):
    """An attribute value the backend cannot express; the message says why."""


@dataclass(frozen=True)
class Attr:
    """One attribute of an op record: a non-tensor argument of the operator.

    Attributes:
        name: its name in the blob and in the C++ kernel.
        type: how the blob stores it.
        arg: the operator's argument it comes from (default ``name``), as
            the operator's schema names it.
        convert: turns the argument's value into the stored one (e.g. an
            absent bound into infinity); the default takes it as it is.
        finite: refuse infinite floats.
    """

    name: str
    type: AttrType
    arg: str = ""
    convert: Optional[Callable[[Any], AttrValue]] = None
    finite: bool = False

    @property
    def argument(self) -> str:
        return self.arg or self.name

    def value(self, raw: Any) -> AttrValue:
        """The plain value to store for argument value ``raw``; raises UnsupportedValue."""
        value = self.convert(raw) if self.convert is not None else raw
        if self.type is AttrType.BOOL:
            if not isinstance(value, bool):
                raise UnsupportedValue(
                    f"{self.argument} is {raw!r}; only True or False is supported"
                )
            return value
        if self.type.is_list:
            if not isinstance(value, (list, tuple)):
                raise UnsupportedValue(f"{self.argument} is {raw!r}; only a list is supported")
            scalar = AttrType.FLOAT if self.type is AttrType.FLOAT_LIST else AttrType.INT
            return tuple(self._scalar(item, scalar, raw) for item in value)
        return self._scalar(value, self.type, raw)

    def _scalar(self, value: Any, kind: AttrType, raw: Any) -> AttrValue:
        if kind is AttrType.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                raise UnsupportedValue(f"{self.argument} is {raw!r}; only an integer is supported")
            if not -(2**63) <= value < 2**63:
                raise UnsupportedValue(f"{self.argument} is {raw!r}, which int64 cannot hold")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UnsupportedValue(f"{self.argument} is {raw!r}; only a number is supported")
        value = float(value)
        if math.isnan(value) or (math.isfinite(value) and abs(value) > _FLOAT32_MAX):
            raise UnsupportedValue(f"{self.argument} is {raw!r}, which float32 cannot hold")
        if self.finite and math.isinf(value):
            raise UnsupportedValue(f"{self.argument} is infinite")
        return value


@dataclass(frozen=True)
class Sample:
    """A call of the operator that the generated tests lower, run and compare.

    ``inputs`` are the shapes of the tensor operands in order (``None``: an
    absent optional operand); ``kwargs`` are the other arguments, by name.
    Inputs are drawn uniformly from ``[low, high)`` (rounded down to ``dtype``
    when it is an integer type).
    """

    inputs: Tuple[Optional[Tuple[int, ...]], ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""
    low: float = -3.0
    high: float = 3.0
    dtype: torch.dtype = torch.float32


Check = Callable[[Node, Mapping[str, Any]], Optional[str]]

# What the quantizer does to an entry unless the entry says otherwise.
_STATIC_INT8 = "PT2E static int8 activations"


@dataclass(frozen=True)
class OpSupport:
    """One supported edge operator.

    Attributes:
        name: short snake_case name, as in the partitioner's ``skip_ops``.
        edge_op: the edge-dialect overload the partitioner claims.
        opcode: the blob opcode, part of the format; never reuse a number.
        operands: the tensor operands in schema order: the op record's inputs.
        shape_rule: how the output shape follows from the inputs (one of the
            rules both blob validators implement, see ``ShapeRule``).
        constraints: the operator's rules in words (docs, op-support.csv).
        samples: calls the generated tests run (one per variant that matters).
        quantization: what PT2E quantization does to this op (docs).
        attrs: the op record's attributes, in order.
        check: rules beyond dtypes, shapes and attribute types, as code;
            receives the node and its arguments by name, returns why the node
            breaks them.
        kernel: the blob operator this entry writes, when it is another
            entry's (``hardtanh`` writes ``clamp``); both must agree on the
            opcode, operands and attributes.
        num_outputs: output tensors of the op record.
        output_shares_input_qparams: a quantized output reuses the input's
            scale and zero point (true for clamping ops).
        keep_undecomposed: ask ``to_edge_transform_and_lower`` to keep the
            ATen op whole; needed for ops outside core ATen, which the edge
            dialect would otherwise decompose before the partitioner sees them.
        dtypes: tensor dtypes the op computes in (float). A converting op
            (quantize, dequantize) lists two: the dtype it reads, then the
            one it writes; the blob parsers hold its tensors to that order.
        int8: static int8 runs in integer: preprocess folds the
            ``dequantize -> op -> quantize`` group around the node into int8
            tensors with quantization parameters (an int32 bias), and the
            runtime runs ``run_<kernel>_int8`` from
            ``runtime/ops/<kernel>_int8.cpp`` on them (the generated dispatch
            table picks it when the op's output is int8). Without it, a
            quantized op runs in float inside the delegate, between a
            dequantize and a quantize op.
        int8_check: rules the integer kernel adds (e.g. ``add``'s alpha must
            be 1); a node that breaks them runs in float inside the delegate.
    """

    name: str
    edge_op: Any
    opcode: int
    operands: Tuple[Operand, ...]
    shape_rule: ShapeRule
    constraints: str
    samples: Tuple[Sample, ...]
    quantization: str = _STATIC_INT8
    attrs: Tuple[Attr, ...] = ()
    check: Optional[Check] = None
    kernel: str = ""
    num_outputs: int = 1
    output_shares_input_qparams: bool = False
    keep_undecomposed: bool = False
    dtypes: Tuple[torch.dtype, ...] = SUPPORTED_DTYPES
    int8: bool = False
    int8_check: Optional[Check] = None

    @property
    def blob_dtypes(self) -> Tuple[torch.dtype, ...]:
        """The dtypes the op's tensors may have in a blob: int8 (and an int32 bias) for integer kernels."""
        extra: Tuple[torch.dtype, ...] = ()
        if self.int8:
            extra = (torch.int8,)
            if any(operand.role is OperandRole.BIAS for operand in self.operands):
                extra += (torch.int32,)
        return tuple(self.dtypes) + tuple(d for d in extra if d not in self.dtypes)

    @property
    def converts(self) -> bool:
        """quantize/dequantize: converts between float32 and int8 (the quantizer skips it)."""
        return torch.int8 in self.dtypes and not self.int8

    def int8_reason(self, node: Node) -> Optional[str]:
        """Why ``node`` cannot run on the integer kernel (it then runs in float), or None."""
        if not self.int8:
            return f"{self.name} has no integer kernel"
        return self.int8_check(node, self.arguments(node)) if self.int8_check is not None else None

    @property
    def kernel_name(self) -> str:
        """The blob operator's name: ``OpCode::<CamelCase>`` and ``run_<name>`` in C++."""
        return self.kernel or self.name

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

    def arguments(self, node: Node) -> Dict[str, Any]:
        """All arguments of a call of this operator by schema name, defaults filled in."""
        normalized = normalize_function(
            self.aten_op, tuple(node.args), dict(node.kwargs), normalize_to_only_use_kwargs=True
        )
        if normalized is None:
            raise TypeError(f"{node.name}: arguments do not match {self.aten_op._schema}")
        # normalize_function spells the schema's ``self`` as ``input``.
        names = {"input": "self"} if "self" in _argument_types(self.aten_op) else {}
        return {names.get(name, name): value for name, value in normalized.kwargs.items()}

    def operand_nodes(self, node: Node) -> List[Optional[Node]]:
        """The tensor operands of ``node`` in blob order (an absent optional one is None)."""
        arguments = self.arguments(node)
        return [arguments[operand.name] for operand in self.operands]

    def attr_values(self, node: Node) -> Tuple[AttrValue, ...]:
        """The op record's attribute values for ``node``; raises UnsupportedValue."""
        arguments = self.arguments(node)
        return tuple(attr.value(arguments[attr.argument]) for attr in self.attrs)

    def unsupported_reason(self, node: Node) -> Optional[str]:
        """Why this entry cannot run ``node``, or None when it can."""
        arguments = self.arguments(node)
        for operand in self.operands:
            value = arguments[operand.name]
            if value is None and operand.optional:
                continue
            if not isinstance(value, Node):
                return f"its {operand.role.value} operand is {value!r}, not a tensor"
            problem = _tensor_problem(value.meta.get("val"), self.dtypes)
            if problem:
                return f"its {operand.role.value} operand {value.name} {problem}"
        problem = _tensor_problem(node.meta.get("val"), self.dtypes)
        if problem:
            return f"its output {problem}"
        for attr in self.attrs:
            try:
                attr.value(arguments[attr.argument])
            except UnsupportedValue as error:
                return str(error)
        return self.check(node, arguments) if self.check is not None else None


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


def _shape(arguments: Mapping[str, Any], name: str) -> Tuple[int, ...]:
    return tuple(arguments[name].meta["val"].shape)


# --- operator-specific checks ------------------------------------------------


def _check_linear(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    x, weight = _shape(arguments, "input"), _shape(arguments, "weight")
    if len(weight) != 2 or len(x) < 1 or x[-1] != weight[1]:
        return f"input {list(x)} and weight {list(weight)} are not [..., in] and [out, in]"
    if arguments["bias"] is not None and _shape(arguments, "bias") != (weight[0],):
        return f"bias {list(_shape(arguments, 'bias'))} is not [{weight[0]}]"
    return None


def _check_ranks(rank: int) -> Check:
    def check(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
        a, b = _shape(arguments, "self"), _shape(arguments, "mat2")
        if len(a) != rank or len(b) != rank:
            return f"operands have ranks {len(a)} and {len(b)}; both must be {rank}"
        return None

    return check


def _lower_bound(value: Any) -> Any:
    return -math.inf if value is None else value


def _upper_bound(value: Any) -> Any:
    return math.inf if value is None else value


def _alpha_is_one(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    if arguments["alpha"] != 1:
        return f"alpha is {arguments['alpha']!r}; the integer kernel takes alpha 1"
    return None


def _check_qparams(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    """Static per-tensor int8 qparams (dequantize ignores quant_min/max, as ExecuTorch does)."""
    if arguments["dtype"] != torch.int8:
        return f"dtype is {arguments['dtype']}; only int8 is supported"
    scale, zero_point = arguments["scale"], arguments["zero_point"]
    if (
        not isinstance(scale, float)
        or not math.isfinite(scale)
        or not scale > 0
        or scale > _FLOAT32_MAX
    ):
        return f"scale {scale!r} is not a finite float32 > 0"
    if not isinstance(zero_point, int) or not -128 <= zero_point <= 127:
        return f"zero_point {zero_point!r} is not an int8"
    return None


def _check_dequantize(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    if arguments["input"].meta["val"].dtype != torch.int8:
        return "its input is not int8"
    return _check_qparams(node, arguments)


def _check_quantize(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    if arguments["input"].meta["val"].dtype != torch.float32:
        return "its input is not float32"
    if arguments["quant_min"] != -128 or arguments["quant_max"] != 127:
        return f"quant range [{arguments['quant_min']}, {arguments['quant_max']}]; only [-128, 127] is supported"
    return _check_qparams(node, arguments)


_QPARAM_ARGS = {
    "scale": 0.05,
    "zero_point": 3,
    "quant_min": -128,
    "quant_max": 127,
    "dtype": torch.int8,
}


# --- the table ---------------------------------------------------------------

_X = (Operand("self"),)
_XY = (Operand("self"), Operand("other"))
_MATS = (Operand("self"), Operand("mat2"))
_ALPHA = (Attr("alpha", AttrType.FLOAT, finite=True),)
_SHARES_QPARAMS = f"{_STATIC_INT8}; the output shares the input's qparams"
_BROADCAST = "a and b broadcast like PyTorch"
_UNARY_SAMPLES = (Sample(inputs=((2, 3, 4),)),)
_BROADCAST_SAMPLES = (
    Sample(inputs=((2, 3), (2, 3)), id="same_shape"),
    Sample(inputs=((2, 1, 3), (4, 1)), id="broadcast"),
)

# HARDWARE-INTEGRATION: list the operators your hardware runs, with the rules
# it imposes; each entry needs a kernel in runtime/ops/<name>.cpp.
OP_SUPPORT: Tuple[OpSupport, ...] = (
    OpSupport(
        name="add",
        edge_op=exir_ops.edge.aten.add.Tensor,
        opcode=1,
        operands=_XY,
        attrs=_ALPHA,
        shape_rule=ShapeRule.BROADCAST,
        constraints=f"{_BROADCAST}; alpha is a finite number",
        samples=(
            *_BROADCAST_SAMPLES,
            Sample(inputs=((2, 3), (3,)), kwargs={"alpha": 2}, id="alpha"),
        ),
        int8=True,
        int8_check=_alpha_is_one,
    ),
    OpSupport(
        name="sub",
        edge_op=exir_ops.edge.aten.sub.Tensor,
        opcode=2,
        operands=_XY,
        attrs=_ALPHA,
        shape_rule=ShapeRule.BROADCAST,
        constraints=f"{_BROADCAST}; alpha is a finite number",
        samples=(
            *_BROADCAST_SAMPLES,
            Sample(inputs=((2, 3), (2, 3)), kwargs={"alpha": 0.5}, id="alpha"),
        ),
    ),
    OpSupport(
        name="mul",
        edge_op=exir_ops.edge.aten.mul.Tensor,
        opcode=3,
        operands=_XY,
        shape_rule=ShapeRule.BROADCAST,
        constraints=_BROADCAST,
        samples=_BROADCAST_SAMPLES,
        int8=True,
    ),
    OpSupport(
        name="div",
        # div.Tensor_mode (rounding_mode="floor"/"trunc") is another overload,
        # so it never matches this entry and stays on the CPU.
        edge_op=exir_ops.edge.aten.div.Tensor,
        opcode=4,
        operands=_XY,
        shape_rule=ShapeRule.BROADCAST,
        constraints=f"{_BROADCAST}; true division only (no rounding_mode)",
        samples=_BROADCAST_SAMPLES,
    ),
    OpSupport(
        name="relu",
        edge_op=exir_ops.edge.aten.relu.default,
        opcode=5,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        quantization=_SHARES_QPARAMS,
        samples=_UNARY_SAMPLES,
        output_shares_input_qparams=True,
        int8=True,
    ),
    OpSupport(
        name="sigmoid",
        edge_op=exir_ops.edge.aten.sigmoid.default,
        opcode=6,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=(Sample(inputs=((2, 3, 4),), low=-100.0, high=100.0),),
    ),
    OpSupport(
        name="tanh",
        edge_op=exir_ops.edge.aten.tanh.default,
        opcode=7,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=_UNARY_SAMPLES,
    ),
    OpSupport(
        name="hardtanh",
        edge_op=exir_ops.edge.aten.hardtanh.default,
        opcode=8,
        kernel="clamp",
        operands=_X,
        attrs=(
            Attr("min", AttrType.FLOAT, arg="min_val"),
            Attr("max", AttrType.FLOAT, arg="max_val"),
        ),
        shape_rule=ShapeRule.SAME,
        constraints="min_val and max_val are numbers (relu6 becomes hardtanh)",
        quantization=_SHARES_QPARAMS,
        samples=(
            Sample(inputs=((2, 3, 4),), id="default"),
            Sample(
                inputs=((2, 3, 4),),
                kwargs={"min_val": 0.0, "max_val": 6.0},
                low=-8.0,
                high=8.0,
                id="relu6",
            ),
        ),
        output_shares_input_qparams=True,
        int8=True,
    ),
    OpSupport(
        name="clamp",
        # clamp.Tensor (tensor min/max) is another overload and stays on the CPU.
        edge_op=exir_ops.edge.aten.clamp.default,
        opcode=8,
        operands=_X,
        attrs=(
            Attr("min", AttrType.FLOAT, convert=_lower_bound),
            Attr("max", AttrType.FLOAT, convert=_upper_bound),
        ),
        shape_rule=ShapeRule.SAME,
        constraints="min and max are numbers or absent; tensor min/max are not supported",
        quantization=_SHARES_QPARAMS,
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"min": -0.5, "max": 0.75}, id="both"),
            Sample(inputs=((2, 3, 4),), kwargs={"min": 0.0}, id="min"),
            Sample(inputs=((2, 3, 4),), kwargs={"max": -0.25}, id="max"),
        ),
        output_shares_input_qparams=True,
        int8=True,
    ),
    OpSupport(
        name="linear",
        edge_op=exir_ops.edge.aten.linear.default,
        opcode=9,
        operands=(
            Operand("input"),
            Operand("weight", OperandRole.WEIGHT),
            Operand("bias", OperandRole.BIAS, optional=True),
        ),
        shape_rule=ShapeRule.LINEAR,
        constraints="input [..., in], weight [out, in], optional bias [out]",
        check=_check_linear,
        quantization=(
            "PT2E int8 weights (per-channel or per-tensor) with static or dynamic "
            "int8 activations, or weight-only; dynamic and weight-only compute in "
            "float32 inside the delegate from the int8 weights"
        ),
        samples=(
            Sample(inputs=((2, 3), (4, 3), (4,)), id="bias"),
            Sample(inputs=((2, 5, 3), (4, 3), None), id="no_bias_rank3"),
        ),
        # Otherwise the edge dialect splits it into permute_copy + addmm/mm.
        keep_undecomposed=True,
        int8=True,
    ),
    OpSupport(
        name="mm",
        edge_op=exir_ops.edge.aten.mm.default,
        opcode=10,
        operands=_MATS,
        shape_rule=ShapeRule.MM,
        constraints="a [n, k], b [k, m]",
        check=_check_ranks(2),
        quantization=f"{_STATIC_INT8} on both operands",
        samples=(Sample(inputs=((2, 3), (3, 5))),),
        int8=True,
    ),
    OpSupport(
        name="bmm",
        edge_op=exir_ops.edge.aten.bmm.default,
        opcode=11,
        operands=_MATS,
        shape_rule=ShapeRule.BMM,
        constraints="a [b, n, k], b [b, k, m]",
        check=_check_ranks(3),
        quantization=f"{_STATIC_INT8} on both operands",
        samples=(Sample(inputs=((2, 2, 3), (2, 3, 4))),),
        int8=True,
    ),
    # --- the float I/O boundary of a quantized delegate (opcodes 120+) ---
    # A quantized model's float inputs are quantized, and its float outputs
    # dequantized, inside the delegate, as XNNPACK does. The scale and zero
    # point are the int8 tensor's quantization parameters in the blob.
    OpSupport(
        name="quantize",
        edge_op=exir_ops.edge.quantized_decomposed.quantize_per_tensor.default,
        opcode=120,
        operands=(Operand("input"),),
        shape_rule=ShapeRule.SAME,
        constraints="float32 to int8, per tensor; quant_min/quant_max -128/127",
        quantization="the float input of a quantized group, quantized inside the delegate",
        check=_check_quantize,
        samples=(Sample(inputs=((2, 3, 4),), kwargs=_QPARAM_ARGS),),
        dtypes=(torch.float32, torch.int8),
    ),
    OpSupport(
        name="dequantize",
        edge_op=exir_ops.edge.quantized_decomposed.dequantize_per_tensor.default,
        opcode=121,
        operands=(Operand("input"),),
        shape_rule=ShapeRule.SAME,
        constraints="int8 to float32, per tensor (per-channel weights are folded by preprocess)",
        quantization="the float output of a quantized group, dequantized inside the delegate",
        check=_check_dequantize,
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs=_QPARAM_ARGS, low=-128, high=128, dtype=torch.int8),
        ),
        dtypes=(torch.int8, torch.float32),
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
        target = getattr(node.target, "_op", node.target)  # the ATen op behind an edge op
        return f"{target} is not in the operator-support table"
    return entry.unsupported_reason(node)


def _argument_types(op: torch._ops.OpOverload) -> Dict[str, Any]:
    """{name: type} of an operator's arguments."""
    return {arg.name: arg.type for arg in op._schema.arguments}


def _self_check(table: Sequence[OpSupport]) -> None:
    """Catch a table edit that cannot work at import, not in a lowered model."""
    names = set()
    for entry in table:
        where = f"op_support.py: entry {entry.name!r}"
        if entry.name in names:
            raise ValueError(f"{where}: the name is used twice")
        names.add(entry.name)
        if not entry.name.isidentifier() or entry.name != entry.name.lower():
            raise ValueError(f"{where}: the name must be snake_case")
        if isinstance(entry.opcode, bool) or not isinstance(entry.opcode, int) or entry.opcode < 1:
            raise ValueError(f"{where}: opcode {entry.opcode!r} must be an integer >= 1")
        if not isinstance(entry.shape_rule, ShapeRule):
            raise ValueError(f"{where}: shape_rule {entry.shape_rule!r} must be a ShapeRule")
        if entry.num_outputs != 1:
            # The format holds several outputs; preprocess and the partitioner
            # do not handle the getitem nodes of a multi-output op yet.
            raise ValueError(f"{where}: num_outputs {entry.num_outputs}; only 1 is supported")
        if not entry.samples:
            raise ValueError(f"{where}: give at least one Sample for the tests")
        arguments = _argument_types(entry.aten_op)
        for operand in entry.operands:
            kind = arguments.get(operand.name)
            if kind is None or "Tensor" not in str(kind):
                raise ValueError(
                    f"{where}: operand {operand.name!r} is not a tensor argument of {entry.aten_op}"
                )
            if operand.optional != isinstance(kind, torch.OptionalType):
                raise ValueError(
                    f"{where}: operand {operand.name!r} must have optional={not operand.optional}"
                )
        if any(operand.role is OperandRole.BIAS for operand in entry.operands[:-1]):
            raise ValueError(f"{where}: a bias operand must come last")
        for attr in entry.attrs:
            if attr.argument not in arguments:
                raise ValueError(
                    f"{where}: attribute {attr.name!r} reads argument {attr.argument!r}, "
                    f"which {entry.aten_op} does not have; its arguments: {', '.join(arguments)}"
                )
        for sample in entry.samples:
            if len(sample.inputs) != len(entry.operands):
                raise ValueError(
                    f"{where}: sample {sample.id or sample.inputs} has {len(sample.inputs)} "
                    f"inputs for {len(entry.operands)} operands"
                )
            unknown = sorted(set(sample.kwargs) - set(arguments))
            if unknown:
                raise ValueError(
                    f"{where}: sample {sample.id or sample.inputs} passes {unknown}, "
                    f"which {entry.aten_op} does not take"
                )


_self_check(OP_SUPPORT)
