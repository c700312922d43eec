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

Every entry accepts only contiguous float32 tensors of rank 0 to 8 whose
dimensions are static or bounded (``torch.export.Dim(..., max=N)``: the blob records the
bound, see ``upper_bound_shape``); ``check`` adds the rules of one operator and
sees the shapes at their upper bounds. Checks return the reason a node is
not supported (or ``None``), so that the partitioner can log why a node stayed
on the CPU and preprocess can refuse it with a clear message.
Conversions of constant data (``folds_to_constant``) are done ahead of time.
"""

from __future__ import annotations

import enum
import math
import operator
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Container,
    Dict,
    FrozenSet,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import sympy
import torch
from executorch.exir.dialects._ops import ops as exir_ops
from torch._export.utils import is_buffer, is_lifted_tensor_constant, is_param
from torch.export import ExportedProgram
from torch.fx import Node
from torch.fx.operator_schemas import normalize_function
from torch.utils._sympy.value_ranges import bound_sympy

from .serialization.blob_format import (
    MAX_RANK,
    BlobFormatError,
    adaptive_pool2d_output_shape,
    addmm_output_shape,
    attention_output_shape,
    batch_norm_output_shape,
    cat_output_shape,
    convolution_output_shape,
    expand_output_shape,
    expected_output_shapes,
    full_output_shape,
    layer_norm_output_shape,
    permute_output_shape,
    pool2d_output_shape,
    reduce_output_shape,
    select_output_shape,
    slice_output_shape,
    split_output_shapes,
    squeeze_output_shape,
    unsqueeze_output_shape,
    view_output_shape,
)
from .serialization.schema_types import AttrType, ShapeRule

SUPPORTED_DTYPES: Tuple[torch.dtype, ...] = (torch.float32,)
# The rules every entry applies on top of its own ``constraints``.
COMMON_CONSTRAINTS = (
    f"contiguous float32 tensors of rank 0 to {MAX_RANK}, each dimension static or bounded "
    "(torch.export.Dim with max)"
)
_FLOAT32_MAX = float(torch.finfo(torch.float32).max)
aten = torch.ops.aten

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
    "no tensor". A variadic operand is a ``Tensor[]`` argument (cat's
    ``tensors``): the last operand, one input of the op record per tensor.
    """

    name: str
    role: OperandRole = OperandRole.ACTIVATION
    optional: bool = False
    variadic: bool = False


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

    def bounded_value(self, raw: Any) -> AttrValue:
        """The stored value with each dynamic size at its upper bound, as the blob
        validators check it; raises UnsupportedValue."""
        return sizes_at_bounds(self.value(raw))

    def _scalar(self, value: Any, kind: AttrType, raw: Any) -> AttrValue:
        if isinstance(value, DynamicSize) and kind is AttrType.INT:
            return value  # preprocess writes it as a dimension reference
        if isinstance(value, (torch.SymInt, torch.SymFloat)):
            # A size computed from a dynamic dimension (a sym_size node).
            raise UnsupportedValue(
                f"{self.argument} is {raw!r}, which depends on a dynamic dimension; "
                "attributes are constants in the blob"
            )
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
    absent optional operand; a tuple of shapes: the tensors of a variadic
    operand); ``kwargs`` are the other arguments, by name.
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
        variadic_outputs: the op returns a list of tensors, as many as its
            arguments say (split); the op record has one output per tensor
            and each ``getitem`` of the node takes one of them.
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
        int8_prepare: the integer kernel computes state once, at init:
            ``runtime/ops/<kernel>_int8.cpp`` also defines
            ``prepare_<kernel>_int8`` (a ``PrepareFn``, see
            ``runtime/ops/OpKernel.h``: re-centred weights, requantization
            multipliers, scratch buffers), which the generated kernel table
            names and the executor runs before the first call.
        int8_check: rules the integer kernel adds (e.g. ``add``'s alpha must
            be 1); a node that breaks them runs in float inside the delegate.
        annotated_aliases: ATen ops that ``torch.export`` produces for this
            op before decomposition, which the quantizer annotates as this
            entry (``nn.Conv2d`` exports ``aten.conv2d``, which the edge
            dialect turns into ``aten.convolution``); their tensor operands
            have the entry's operand names.
        annotate_check: rules the quantizer adds; a node that breaks them is
            not annotated and stays float32 (a transposed convolution).
        moves_data: the op only moves elements (view, permute, slice...): its
            kernel ``run_<kernel>`` copies elements of any dtype and is its
            int8 kernel too (needs ``int8`` and
            ``output_shares_input_qparams``: the int8 bytes are the answer).
        aten_aliases: ATen ops that ``torch.export`` produces where the edge
            dialect later has this entry's op (``aten.view`` and
            ``aten.reshape`` for ``view_copy``); after a quantized op the
            quantizer gives them its qparams. Only for ``moves_data`` entries,
            whose one tensor operand is the first argument of each alias, and
            only aliases whose output keeps a contiguous input contiguous: a
            quantize of a strided view (transpose, expand, select, slice)
            makes the edge dialect's decomposition of a following reshape
            fail. Those ops need no annotation: preprocess runs a layout op on
            the int8 tensor its input's dequantize reads, whether or not a
            quantize follows.
        annotate: the quantizer annotates the op (when ``annotated`` allows).
            False for an op without an integer kernel: in a quantized model it
            computes in float32 inside the delegate from its dequantized
            inputs, and its output is quantized by the next annotated op.
        first_output_only: the ATen op returns several tensors and the
            backend computes the first (batch norm's normalized output, max
            pooling's values); a node is claimed only when every user takes
            output 0, and its ``getitem`` nodes go into the delegate with it.
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
    first_output_only: bool = False
    int8: bool = False
    int8_prepare: bool = False
    int8_check: Optional[Check] = None
    variadic_outputs: bool = False
    annotated_aliases: Tuple[Any, ...] = ()
    annotate_check: Optional[Check] = None
    moves_data: bool = False
    aten_aliases: Tuple[Any, ...] = ()
    annotate: bool = True

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

    @property
    def annotated(self) -> bool:
        """The quantizer annotates it: ``annotate`` is set and the op has fixed tensor operands and
        one output (not quantize/dequantize, a variadic operand or outputs, an op computing
        output 0 of several unless an annotated alias has one output: max_pool2d's)."""
        return (
            self.annotate
            and bool(self.operands)
            and not self.converts
            and not self.variadic_outputs
            and not (self.first_output_only and not self.annotated_aliases)
            and not any(operand.variadic for operand in self.operands)
        )

    def annotate_reason(self, node: Node) -> Optional[str]:
        """Why the quantizer leaves ``node`` in float32 (``annotate_check``), or None."""
        if self.annotate_check is None:
            return None
        return self.annotate_check(node, self.arguments(node))

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
        """ATen overloads the quantizer annotates: the op, its in-place form and the
        ``annotated_aliases``."""
        op = self.aten_op
        packet = getattr(torch.ops.aten, op.overloadpacket.__name__ + "_", None)
        inplace = getattr(packet, op._overloadname, None) if packet is not None else None
        return (op, *((inplace,) if inplace is not None else ()), *self.annotated_aliases)

    def arguments(self, node: Node) -> Dict[str, Any]:
        """All arguments of a call of this operator (or of an annotated alias) by schema
        name, defaults filled in."""
        op = node.target if node.target in self.annotated_aliases else self.aten_op
        normalized = normalize_function(
            op, tuple(node.args), dict(node.kwargs), normalize_to_only_use_kwargs=True
        )
        if normalized is None:
            raise TypeError(f"{node.name}: arguments do not match {op._schema}")
        # normalize_function spells the schema's ``self`` as ``input``.
        names = {"input": "self"} if "self" in _argument_types(op) else {}
        return {names.get(name, name): value for name, value in normalized.kwargs.items()}

    def operand_nodes(self, node: Node) -> List[Optional[Node]]:
        """The tensor operands of ``node`` in blob order (an absent optional one is None;
        a variadic operand contributes each of its tensors)."""
        arguments = self.arguments(node)
        nodes: List[Optional[Node]] = []
        for operand in self.operands:
            value = arguments[operand.name]
            nodes += list(value) if operand.variadic else [value]
        return nodes

    def sample_shapes(self, sample: Sample) -> List[Optional[Tuple[int, ...]]]:
        """A sample's input shapes in blob order (a variadic operand's shapes in line)."""
        shapes: List[Optional[Tuple[int, ...]]] = []
        for operand, shape in zip(self.operands, sample.inputs):
            shapes += list(shape) if operand.variadic else [shape]
        return shapes

    def sample_operands(self, sample: Sample, tensors: Sequence[Any]) -> Dict[str, Any]:
        """The operator's tensor arguments by name for a sample, from its present inputs in
        order: None for an absent operand, a list for a variadic one."""
        tensors = list(tensors)
        operands: Dict[str, Any] = {}
        for operand, shape in zip(self.operands, sample.inputs):
            if shape is None:
                operands[operand.name] = None
            elif operand.variadic:
                operands[operand.name] = tensors[: len(shape)]
                del tensors[: len(shape)]
            else:
                operands[operand.name] = tensors.pop(0)
        return operands

    def attr_values(self, node: Node) -> Tuple[AttrValue, ...]:
        """The op record's attribute values for ``node``; raises UnsupportedValue."""
        arguments = self.arguments(node)
        return tuple(attr.value(arguments[attr.argument]) for attr in self.attrs)

    def unsupported_reason(self, node: Node) -> Optional[str]:
        """Why this entry cannot run ``node``, or None when it can."""
        arguments = self.arguments(node)
        # An ATen node (ops_to_not_decompose's filter, before decomposition) may
        # read views whose strides the edge dialect's copies make contiguous.
        layout = node.target is self.edge_op
        for operand in self.operands:
            value = arguments[operand.name]
            if value is None and operand.optional:
                continue
            values = value if operand.variadic and isinstance(value, (list, tuple)) else [value]
            if operand.variadic and not values:
                return f"its {operand.name} list is empty"
            for value in values:
                if not isinstance(value, Node):
                    return f"its {operand.role.value} operand is {value!r}, not a tensor"
                problem = _tensor_problem(value.meta.get("val"), self.dtypes, layout)
                if problem:
                    return f"its {operand.role.value} operand {value.name} {problem}"
        output = node.meta.get("val")
        if self.first_output_only:
            others = [user.name for user in node.users if not _takes_first_output(user)]
            if others:
                return f"{', '.join(others)} use outputs other than the first, which this backend does not compute"
            output = output[0] if isinstance(output, (tuple, list)) else output
        outputs = (
            list(output)
            if self.variadic_outputs and isinstance(output, (tuple, list))
            else [output]
        )
        for value in outputs:
            problem = _tensor_problem(value, self.dtypes, layout)
            if problem:
                return f"its output {problem}"
        for attr in self.attrs:
            try:
                attr.value(arguments[attr.argument])
            except UnsupportedValue as error:
                return str(error)
        reason = self.check(node, arguments) if self.check is not None else None
        return reason or self._dynamic_shape_problem(arguments, output)

    def _dynamic_shape_problem(self, arguments: Mapping[str, Any], output: Any) -> Optional[str]:
        """Why the upper bounds of a node with dynamic dimensions do not fit its shape rule.

        The blob stores every tensor at its upper bound and the runtime
        computes each call's shapes with the shape rule, so the rule applied to
        the operands' bounds must give the output's bound (it does for the
        rules' monotonic arithmetic, unless export's bound is looser).
        """
        operands: List[Any] = []
        for operand in self.operands:
            value = arguments[operand.name]
            operands += value if isinstance(value, (list, tuple)) else [value]
        shapes = [
            None if value is None else upper_bound_shape(value.meta["val"].shape)
            for value in operands
        ]
        outputs = output if isinstance(output, (list, tuple)) else [output]
        bounds = [upper_bound_shape(value.shape) for value in outputs]
        if not any(bound.dynamic_dims for bound in bounds) and not any(
            shape and shape.dynamic_dims for shape in shapes
        ):
            return None
        values = {attr.name: attr.bounded_value(arguments[attr.argument]) for attr in self.attrs}
        sizes = [None if shape is None else shape.sizes for shape in shapes]
        try:
            expected = expected_output_shapes("it", self.shape_rule, sizes, values)
        except BlobFormatError as error:
            return f"with its dynamic dimensions at their upper bounds, {error}"
        for bounded, shape in zip(bounds, expected):
            if tuple(shape) != bounded.sizes:
                return (
                    f"its output's upper bound {list(bounded.sizes)} differs from {list(shape)}, "
                    "which its shape rule gives on the operands' upper bounds"
                )
        return None


def _takes_first_output(user: Node) -> bool:
    return user.op == "call_function" and user.target is operator.getitem and user.args[1] == 0


def _tensor_problem(
    value: Any, dtypes: Tuple[torch.dtype, ...], layout: bool = True
) -> Optional[str]:
    """Why ``value`` cannot be a tensor of the blob; ``layout``: also refuse non-contiguous strides."""
    if not isinstance(value, torch.Tensor):
        return f"is {type(value).__name__}, not a tensor"
    if value.dtype not in dtypes:
        allowed = ", ".join(str(d).replace("torch.", "") for d in dtypes)
        return f"has dtype {str(value.dtype).replace('torch.', '')}; supported: {allowed}"
    if value.dim() > MAX_RANK:
        return f"has rank {value.dim()}; the maximum is {MAX_RANK}"
    try:
        upper_bound_shape(value.shape)
    except UnboundedShapeError as error:
        return str(error)
    if layout and not value.is_contiguous():
        return (
            f"is not contiguous (strides {list(value.stride())}, e.g. channels-last); "
            "only the contiguous dim order is supported"
        )
    return None


class UnboundedShapeError(ValueError):
    """A dynamic dimension without a finite upper bound; the message says which."""


@dataclass(frozen=True)
class BoundedShape:
    """A shape as the blob records it: ``sizes`` at their upper bounds, and bit d
    of ``dynamic_dims`` set when dimension d is dynamic (any size up to sizes[d])."""

    sizes: Tuple[int, ...]
    dynamic_dims: int = 0


def upper_bound_shape(shape: Sequence[Any]) -> BoundedShape:
    """The upper bound of each dimension of a (possibly symbolic) shape.

    A dimension exported with ``torch.export.Dim("batch", max=N)`` is a
    ``SymInt`` whose range (the shape environment's, from the program's range
    constraints) ends at N; an expression of such symbols (``2 * batch``)
    gets the bound of the expression. Raises UnboundedShapeError for a
    dimension without a finite bound: a ``Dim`` without ``max``, or a size
    that depends on data (the output of ``nonzero``).
    """
    sizes: List[int] = []
    dynamic_dims = 0
    for index, size in enumerate(shape):
        if isinstance(size, int):
            sizes.append(size)
            continue
        expr = size.node.expr
        if expr.is_number:
            sizes.append(int(expr))
            continue
        upper = bound_sympy(expr, size.node.shape_env.var_to_range).upper
        if not isinstance(upper, sympy.Integer):
            raise UnboundedShapeError(
                f"has shape {list(shape)} whose dimension {index} ({expr}) has no upper "
                "bound; only static or bounded dimensions are supported (export it with "
                "torch.export.Dim(..., max=N))"
            )
        sizes.append(int(upper))
        dynamic_dims |= 1 << index
    return BoundedShape(tuple(sizes), dynamic_dims)


def _shape(arguments: Mapping[str, Any], name: str) -> Tuple[int, ...]:
    """The shape of tensor argument ``name``, dynamic dimensions at their upper bound."""
    return upper_bound_shape(arguments[name].meta["val"].shape).sizes


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


def _pair(value: Any) -> Any:
    """An int or a one-element list as the [h, w] pair PyTorch's pooling reads it as."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return (value[0], value[0])
    return value


def _no_divisor(value: Any) -> Any:
    return 0 if value is None else value


def _all_dims(value: Any) -> Any:
    return () if value is None else value


def _check_output_shape(attrs: Tuple[Attr, ...], rule: Callable[..., Tuple[int, ...]]) -> Check:
    """Refuse a node the blob validators would refuse: the shape rule's own checks, in one place."""

    def check(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
        values = {attr.name: attr.bounded_value(arguments[attr.argument]) for attr in attrs}
        tensors = [
            arguments[name] for name in ("input", "weight", "bias", "self") if name in arguments
        ]
        shapes = [
            None if t is None else upper_bound_shape(t.meta["val"].shape).sizes for t in tensors
        ]
        try:
            rule("it", shapes if rule is convolution_output_shape else shapes[0], values)
        except BlobFormatError as error:
            return str(error)
        return None

    return check


def _check_batch_norm(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    names = ("input", "weight", "bias", "running_mean", "running_var")
    shapes = [None if arguments[name] is None else _shape(arguments, name) for name in names]
    try:
        batch_norm_output_shape("it", shapes)
    except BlobFormatError as error:
        return str(error)
    return None


def _check_no_dtype(check: Check) -> Check:
    def checked(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
        if arguments.get("dtype") is not None:
            return f"dtype is {arguments['dtype']}; only the input's dtype is supported"
        return check(node, arguments)

    return checked


def _check_float_result(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    if arguments["half_to_float"]:
        return "half_to_float is True; only float32 in and out is supported"
    return None


def _check_shape_rule(
    attrs: Tuple[Attr, ...], rule: Callable[[str, List[Any], Dict[str, Any]], Any]
) -> Check:
    """Refuse a node the blob validators would refuse: ``rule(what, operand shapes, attributes)``."""

    def check(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
        entry = lookup(node.target)
        shapes = [
            None if operand is None else upper_bound_shape(operand.meta["val"].shape).sizes
            for operand in entry.operand_nodes(node)
        ]
        values = {attr.name: attr.bounded_value(arguments[attr.argument]) for attr in attrs}
        try:
            rule("it", shapes, values)
        except BlobFormatError as error:
            return str(error)
        return None

    return check


def _check_attention(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    if arguments["dropout_p"] != 0:
        return f"dropout_p is {arguments['dropout_p']}; only 0 (inference) is supported"
    if arguments.get("enable_gqa"):
        return "enable_gqa is True; key and value need as many heads as the query"
    if arguments["is_causal"] and arguments["attn_mask"] is not None:
        return "is_causal with an attn_mask; PyTorch refuses the pair"
    return _check_shape_rule(
        _ATTENTION_ATTRS, lambda what, shapes, attrs: attention_output_shape(what, shapes)
    )(node, arguments)


def _attention_scale(value: Any) -> Any:
    """scale=None is 1/sqrt(e), stored as 0; an explicit 0 cannot be told apart."""
    if value is None:
        return 0.0
    if value == 0:
        raise UnsupportedValue("scale is 0; the blob stores the default scale (None) as 0")
    return value


def _contiguous_dim_order(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    """Refuse a copy into another memory layout (channels-last and other dim orders)."""
    order = arguments.get("dim_order")
    contiguous = list(range(node.meta["val"].dim()))
    if order is not None and list(order) != contiguous:
        return f"dim_order is {list(order)}; only the contiguous order {contiguous} is supported"
    if arguments.get("layout") not in (None, torch.strided):
        return f"layout is {arguments['layout']}; only torch.strided is supported"
    return None


def _start(value: Any) -> Any:
    """slice's absent start: the first element."""
    return 0 if value is None else value


def _end(value: Any) -> Any:
    """slice's absent end: past the last element (PyTorch clamps it)."""
    return 2**63 - 1 if value is None else value


def _gelu_tanh(value: Any) -> bool:
    """gelu's ``approximate``: "tanh" -> True, "none" -> False."""
    if value not in ("none", "tanh"):
        raise UnsupportedValue(f"approximate is {value!r}; only 'none' or 'tanh' is supported")
    return value == "tanh"


def _not_transposed(node: Node, arguments: Mapping[str, Any]) -> Optional[str]:
    # A transposed convolution's weight is [in, out / groups, ...]: per-channel
    # scales along axis 0 belong to input channels, which do not factor out of
    # an output's accumulator; it computes in float32 instead.
    if arguments.get("transposed"):
        return "it is transposed; transposed convolutions compute in float32"
    return None


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
_CONVOLUTION_ATTRS = (
    Attr("stride", AttrType.INT_LIST),
    Attr("padding", AttrType.INT_LIST),
    Attr("dilation", AttrType.INT_LIST),
    Attr("transposed", AttrType.BOOL),
    Attr("output_padding", AttrType.INT_LIST),
    Attr("groups", AttrType.INT),
)
_AVG_POOL2D_ATTRS = (
    Attr("kernel_size", AttrType.INT_LIST, convert=_pair),
    Attr("stride", AttrType.INT_LIST, convert=_pair),
    Attr("padding", AttrType.INT_LIST, convert=_pair),
    Attr("ceil_mode", AttrType.BOOL),
    Attr("count_include_pad", AttrType.BOOL),
    Attr("divisor_override", AttrType.INT, convert=_no_divisor),
)
_FIRST_OUTPUT_NOT_ANNOTATED = (
    "not annotated yet (float32): the quantizer annotates single-output ops"
)
_MAX_POOL2D_ATTRS = (
    Attr("kernel_size", AttrType.INT_LIST, convert=_pair),
    Attr("stride", AttrType.INT_LIST, convert=_pair),
    Attr("padding", AttrType.INT_LIST, convert=_pair),
    Attr("dilation", AttrType.INT_LIST, convert=_pair),
    Attr("ceil_mode", AttrType.BOOL),
)
_ADAPTIVE_POOL2D_ATTRS = (Attr("output_size", AttrType.INT_LIST),)
_REDUCE_ATTRS = (Attr("dim", AttrType.INT_LIST, convert=_all_dims), Attr("keepdim", AttrType.BOOL))
_LAYER_NORM_ATTRS = (
    Attr("normalized_shape", AttrType.INT_LIST),
    Attr("eps", AttrType.FLOAT, finite=True),
)
_CAT_ATTRS = (Attr("dim", AttrType.INT),)
_SPLIT_ATTRS = (Attr("split_sizes", AttrType.INT_LIST), Attr("dim", AttrType.INT))
_ATTENTION_ATTRS = (
    Attr("is_causal", AttrType.BOOL),
    Attr("scale", AttrType.FLOAT, convert=_attention_scale),
)
_ADDMM_ATTRS = (
    Attr("beta", AttrType.FLOAT, finite=True),
    Attr("alpha", AttrType.FLOAT, finite=True),
)


@dataclass(frozen=True)
class DynamicSize:
    """A size entry equal to a dynamic dimension of the model (``x.shape[0]`` of an input
    exported with ``torch.export.Dim``): ``symbol`` is that dimension, ``bound`` its upper
    bound. Preprocess writes it as a dimension reference to a delegate input with that
    dimension, which the runtime reads on each call (FORMAT.md, "Dimension references")."""

    symbol: sympy.Symbol
    bound: int


def input_dimension_sizes(size: Any) -> Any:
    """A size (of ``full`` or ``expand``) whose entries that depend on a dynamic dimension
    are that dimension itself, as :class:`DynamicSize`.

    ``torch.zeros(layers, x.shape[0], hidden)`` (an RNN's initial state) exports the batch
    as a ``sym_size`` node. Unlike a view's, such an entry cannot be inferred from an
    operand, so the blob names the delegate input dimension it equals. An entry computed
    from a dynamic dimension (``2 * batch``) is not one of them.
    """
    if not isinstance(size, (list, tuple)):
        return size
    converted = []
    for index, item in enumerate(size):
        value = item.meta.get("val") if isinstance(item, Node) else item
        if not isinstance(value, torch.SymInt):
            converted.append(item)
            continue
        expr = value.node.expr
        if expr.is_number:  # a dimension that export pinned to one size
            converted.append(int(expr))
            continue
        if not isinstance(expr, sympy.Symbol):
            raise UnsupportedValue(
                f"size is {list(size)!r}: entry {index} ({expr}) is computed from a dynamic "
                "dimension; an entry may only equal a dynamic dimension of the inputs"
            )
        converted.append(DynamicSize(expr, upper_bound_shape([value]).sizes[0]))
    return converted


def sizes_at_bounds(value: Any) -> Any:
    """An attribute value with each :class:`DynamicSize` at its upper bound."""
    if isinstance(value, (list, tuple)):
        return tuple(item.bound if isinstance(item, DynamicSize) else item for item in value)
    return value


_FULL_ATTRS = (
    Attr("size", AttrType.INT_LIST, convert=input_dimension_sizes),
    Attr("fill_value", AttrType.FLOAT),
)
_NOT_ANNOTATED = (
    "not annotated yet (float32): the quantizer annotates ops with fixed operands and one output"
)
_LAYOUT = f"{_STATIC_INT8}; the output shares the input's qparams (the values only move)"
_LOOKUP_TABLE = f"{_STATIC_INT8}; int8 through a 256-entry lookup table of the float kernel"
# An operator without an integer kernel stays out of the quantizer's
# annotations (annotate=False) rather than being quantized and computed in
# float; to quantize it, write its run_<name>_int8 and set int8=True instead.
_NO_INTEGER_KERNEL = (
    "not annotated (no integer kernel): computes in float32 inside the delegate, from "
    "its dequantized inputs"
)


def infer_dynamic_size(size: Any) -> Any:
    """A view's size with its entries that depend on a dynamic dimension made constant.

    ``x.view(batch, length, heads, -1)`` exports each dynamic size as a
    ``sym_size`` node (or SymInt arithmetic such as ``batch * heads``). A view
    keeps the element count, so one such entry is the input's element count
    over the other entries: -1 says that with a constant, which the runtime
    infers per call. With several, each entry equal to a dynamic dimension of
    the inputs becomes a :class:`DynamicSize` (a dimension reference), and at
    most one other, computed entry (``batch * heads``) takes the -1, when the
    view has none of its own.
    """
    if not isinstance(size, (list, tuple)):
        return size
    dynamic = [index for index, item in enumerate(size) if _is_symbolic(item)]
    if not dynamic:
        return size
    if len(dynamic) == 1 and -1 not in size:
        return [-1 if index == dynamic[0] else item for index, item in enumerate(size)]
    converted = list(size)
    computed = []
    for index in dynamic:
        try:
            (converted[index],) = input_dimension_sizes([size[index]])
        except UnsupportedValue:
            computed.append(index)
    if len(computed) > 1 or (computed and -1 in size):
        raise UnsupportedValue(
            f"size is {list(size)!r}: {len(computed)} entries are computed from a dynamic "
            "dimension" + (" besides a -1" if -1 in size else "") + "; the runtime infers one "
            "entry (-1) per call and reads an entry equal to a dynamic dimension from an input"
        )
    if computed:
        converted[computed[0]] = -1
    return converted


def _is_symbolic(value: Any) -> bool:
    if isinstance(value, Node):
        value = value.meta.get("val")
    return isinstance(value, torch.SymInt)


_VIEW_ATTRS = (Attr("size", AttrType.INT_LIST, convert=infer_dynamic_size),)
_PERMUTE_ATTRS = (Attr("dims", AttrType.INT_LIST),)
_SQUEEZE_ATTRS = (Attr("dims", AttrType.INT_LIST, arg="dim"),)
_UNSQUEEZE_ATTRS = (Attr("dim", AttrType.INT),)
_EXPAND_ATTRS = (Attr("size", AttrType.INT_LIST, convert=input_dimension_sizes),)
_SLICE_ATTRS = (
    Attr("dim", AttrType.INT),
    Attr("start", AttrType.INT, convert=_start),
    Attr("end", AttrType.INT, convert=_end),
    Attr("step", AttrType.INT),
)
_SELECT_ATTRS = (Attr("dim", AttrType.INT), Attr("index", AttrType.INT))


def _conv(
    stride, padding, dilation=None, transposed=False, output_padding=None, groups=1
) -> Dict[str, Any]:
    """The arguments of aten.convolution after its tensors (the schema has no defaults)."""
    spatial = len(stride)
    return {
        "stride": stride,
        "padding": padding,
        "dilation": dilation or [1] * spatial,
        "transposed": transposed,
        "output_padding": output_padding or [0] * spatial,
        "groups": groups,
    }


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
        int8=True,
        int8_check=_alpha_is_one,
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
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
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
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="tanh",
        edge_op=exir_ops.edge.aten.tanh.default,
        opcode=7,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=_UNARY_SAMPLES,
        quantization=_LOOKUP_TABLE,
        int8=True,
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
        int8_prepare=True,
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
    # --- convolution, pooling, reductions, matmul
    OpSupport(
        name="convolution",
        # conv1d, conv2d, depthwise and transposed convolutions all export as this.
        edge_op=exir_ops.edge.aten.convolution.default,
        opcode=60,
        operands=(
            Operand("input"),
            Operand("weight", OperandRole.WEIGHT),
            Operand("bias", OperandRole.BIAS, optional=True),
        ),
        attrs=_CONVOLUTION_ATTRS,
        shape_rule=ShapeRule.CONVOLUTION,
        constraints=(
            "1 or 2 spatial dimensions (conv1d, conv2d); any stride, padding, dilation and groups "
            "(depthwise included); transposed with output_padding below stride or dilation; "
            "optional bias"
        ),
        check=_check_output_shape(_CONVOLUTION_ATTRS, convolution_output_shape),
        quantization=(
            "PT2E int8 weights (per-channel or per-tensor) with static int8 activations and an "
            "int32 bias; transposed convolutions are not annotated (float32)"
        ),
        # nn.Conv1d and nn.Conv2d export these before decomposition.
        annotated_aliases=(torch.ops.aten.conv1d.default, torch.ops.aten.conv2d.default),
        annotate_check=_not_transposed,
        int8=True,
        int8_prepare=True,
        int8_check=_not_transposed,
        samples=(
            Sample(
                inputs=((1, 3, 8, 8), (4, 3, 3, 3), (4,)), kwargs=_conv([1, 1], [1, 1]), id="conv2d"
            ),
            Sample(
                inputs=((2, 4, 9, 9), (6, 2, 3, 3), None),
                kwargs=_conv([2, 1], [0, 2], dilation=[2, 1], groups=2),
                id="grouped_strided_dilated_no_bias",
            ),
            Sample(
                inputs=((1, 4, 7, 7), (4, 1, 3, 3), (4,)),
                kwargs=_conv([2, 2], [1, 1], groups=4),
                id="depthwise",
            ),
            Sample(
                inputs=((2, 3, 10), (5, 3, 3), (5,)),
                kwargs=_conv([2], [1], dilation=[2]),
                id="conv1d",
            ),
            Sample(
                inputs=((1, 4, 5, 5), (4, 3, 3, 3), (3,)),
                kwargs=_conv([2, 2], [1, 1], transposed=True, output_padding=[1, 1]),
                id="transposed",
            ),
            Sample(
                inputs=((1, 4, 4, 3), (4, 2, 2, 3), None),
                kwargs=_conv([2, 1], [0, 1], dilation=[1, 2], transposed=True, groups=2),
                id="transposed_grouped_dilated",
            ),
        ),
    ),
    OpSupport(
        name="avg_pool2d",
        edge_op=exir_ops.edge.aten.avg_pool2d.default,
        opcode=61,
        operands=_X,
        attrs=_AVG_POOL2D_ATTRS,
        shape_rule=ShapeRule.POOL2D,
        constraints=(
            "input [n, c, h, w] or [c, h, w]; padding at most half of kernel_size; "
            "ceil_mode, count_include_pad and divisor_override as PyTorch"
        ),
        check=_check_output_shape(_AVG_POOL2D_ATTRS, pool2d_output_shape),
        int8=True,
        samples=(
            Sample(inputs=((1, 3, 8, 8),), kwargs={"kernel_size": [2, 2]}, id="default_stride"),
            Sample(
                inputs=((2, 3, 7, 9),),
                kwargs={
                    "kernel_size": [3, 2],
                    "stride": [2, 3],
                    "padding": [1, 1],
                    "ceil_mode": True,
                },
                id="padding_ceil_mode",
            ),
            Sample(
                inputs=((3, 6, 6),),
                kwargs={
                    "kernel_size": [3, 3],
                    "stride": [2, 2],
                    "padding": [1, 1],
                    "count_include_pad": False,
                },
                id="exclude_pad_rank3",
            ),
            Sample(
                inputs=((1, 2, 5, 5),),
                kwargs={"kernel_size": [2, 2], "stride": [1, 1], "divisor_override": 3},
                id="divisor_override",
            ),
        ),
    ),
    OpSupport(
        name="adaptive_avg_pool2d",
        # nn.AdaptiveAvgPool2d exports as aten.adaptive_avg_pool2d, which the
        # edge dialect turns into mean.dim for output (1, 1), else into this.
        edge_op=exir_ops.edge.aten._adaptive_avg_pool2d.default,
        opcode=66,
        operands=_X,
        attrs=_ADAPTIVE_POOL2D_ATTRS,
        shape_rule=ShapeRule.ADAPTIVE_POOL2D,
        constraints=(
            "input [n, c, h, w] or [c, h, w]; any output_size, divisible or not: output (i, j) "
            "averages rows floor(i * h / out_h) to ceil((i + 1) * h / out_h), and columns "
            "alike, as PyTorch"
        ),
        check=_check_output_shape(_ADAPTIVE_POOL2D_ATTRS, adaptive_pool2d_output_shape),
        quantization=(
            f"{_STATIC_INT8}; nn.AdaptiveAvgPool2d (aten.adaptive_avg_pool2d) is annotated as "
            "this entry (output (1, 1) then runs as mean's integer kernel)"
        ),
        annotated_aliases=(torch.ops.aten.adaptive_avg_pool2d.default,),
        int8=True,
        samples=(
            Sample(inputs=((2, 3, 8, 8),), kwargs={"output_size": [4, 2]}, id="divisible"),
            # Windows of 2 or 3 rows and columns that overlap: 7 / 3 and 7 / 5.
            Sample(inputs=((1, 2, 7, 7),), kwargs={"output_size": [3, 5]}, id="overlapping"),
            Sample(inputs=((3, 5, 9),), kwargs={"output_size": [2, 4]}, id="rank3"),
            # More outputs than inputs: windows of one or two elements.
            Sample(inputs=((1, 2, 3, 4),), kwargs={"output_size": [5, 6]}, id="upsampling"),
            Sample(inputs=((1, 3, 5, 6),), kwargs={"output_size": [1, 1]}, id="global"),
        ),
    ),
    OpSupport(
        name="mean",
        # AdaptiveAvgPool2d(1) and global average pooling export as mean.dim.
        edge_op=exir_ops.edge.aten.mean.dim,
        opcode=62,
        operands=_X,
        attrs=_REDUCE_ATTRS,
        shape_rule=ShapeRule.REDUCE,
        constraints="over the dims given (none: all), keepdim either way; no dtype argument",
        check=_check_no_dtype(_check_output_shape(_REDUCE_ATTRS, reduce_output_shape)),
        int8=True,
        samples=(
            Sample(
                inputs=((2, 3, 4, 5),), kwargs={"dim": [-1, -2], "keepdim": True}, id="global_pool"
            ),
            Sample(inputs=((2, 3, 4),), kwargs={"dim": [1]}, id="one_dim"),
            Sample(inputs=((2, 3, 4),), kwargs={"dim": []}, id="all_dims"),
        ),
    ),
    OpSupport(
        name="sum",
        edge_op=exir_ops.edge.aten.sum.dim_IntList,
        opcode=63,
        operands=_X,
        attrs=_REDUCE_ATTRS,
        shape_rule=ShapeRule.REDUCE,
        constraints="over the dims given (none: all), keepdim either way; no dtype argument",
        check=_check_no_dtype(_check_output_shape(_REDUCE_ATTRS, reduce_output_shape)),
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"dim": [1]}, id="one_dim"),
            Sample(inputs=((2, 3, 4, 2),), kwargs={"dim": [0, 2], "keepdim": True}, id="keepdim"),
        ),
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
    ),
    OpSupport(
        name="max_pool2d",
        # MaxPool2d exports as max_pool2d_with_indices; the values are output 0.
        edge_op=exir_ops.edge.aten.max_pool2d_with_indices.default,
        opcode=64,
        operands=_X,
        attrs=_MAX_POOL2D_ATTRS,
        shape_rule=ShapeRule.POOL2D,
        constraints=(
            "input [n, c, h, w] or [c, h, w]; padding at most half of kernel_size; dilation and "
            "ceil_mode as PyTorch; the indices output stays unused (return_indices=False)"
        ),
        check=_check_output_shape(_MAX_POOL2D_ATTRS, pool2d_output_shape),
        quantization=(
            f"{_SHARES_QPARAMS}; nn.MaxPool2d (aten.max_pool2d) is annotated before export "
            "splits off the indices"
        ),
        first_output_only=True,
        annotated_aliases=(torch.ops.aten.max_pool2d.default,),
        output_shares_input_qparams=True,
        int8=True,
        samples=(
            Sample(inputs=((1, 3, 8, 8),), kwargs={"kernel_size": [2, 2]}, id="default_stride"),
            Sample(
                inputs=((2, 3, 9, 7),),
                kwargs={
                    "kernel_size": [3, 3],
                    "stride": [2, 2],
                    "padding": [1, 1],
                    "ceil_mode": True,
                },
                id="padding_ceil_mode",
            ),
            Sample(
                inputs=((3, 9, 9),),
                kwargs={"kernel_size": [2, 3], "stride": [1, 2], "dilation": [2, 1]},
                id="dilation_rank3",
            ),
        ),
    ),
    OpSupport(
        name="batch_norm",
        # BatchNorm in eval mode when export does not fold it into a convolution.
        edge_op=exir_ops.edge.aten._native_batch_norm_legit_no_training.default,
        opcode=65,
        operands=(
            Operand("input"),
            Operand("weight", OperandRole.WEIGHT, optional=True),
            Operand("bias", OperandRole.WEIGHT, optional=True),
            Operand("running_mean", OperandRole.WEIGHT),
            Operand("running_var", OperandRole.WEIGHT),
        ),
        attrs=(Attr("eps", AttrType.FLOAT, finite=True),),
        shape_rule=ShapeRule.BATCH_NORM,
        constraints="inference (running statistics); input [n, c, ...]; weight, bias, mean, var [c]",
        check=_check_batch_norm,
        quantization=_FIRST_OUTPUT_NOT_ANNOTATED,
        first_output_only=True,
        samples=(
            Sample(
                inputs=((2, 3, 4, 5), (3,), (3,), (3,), (3,)),
                kwargs={"momentum": 0.1, "eps": 1e-5},
                id="affine",
                low=0.1,
            ),
            Sample(
                inputs=((2, 4, 6), None, None, (4,), (4,)),
                kwargs={"momentum": 0.1, "eps": 1e-3},
                id="no_affine_rank3",
                low=0.1,
            ),
        ),
    ),
    # --- activations and normalization
    OpSupport(
        name="gelu",
        edge_op=exir_ops.edge.aten.gelu.default,
        opcode=12,
        operands=_X,
        attrs=(Attr("tanh", AttrType.BOOL, arg="approximate", convert=_gelu_tanh),),
        shape_rule=ShapeRule.SAME,
        constraints="approximate is 'none' (erf) or 'tanh'",
        samples=(
            Sample(inputs=((2, 3, 4),), low=-6.0, high=6.0, id="erf"),
            Sample(
                inputs=((2, 3, 4),), kwargs={"approximate": "tanh"}, low=-6.0, high=6.0, id="tanh"
            ),
        ),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="silu",
        edge_op=exir_ops.edge.aten.silu.default,
        opcode=13,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=(Sample(inputs=((2, 3, 4),), low=-100.0, high=100.0),),
        # Otherwise the edge dialect splits it into sigmoid + mul.
        keep_undecomposed=True,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="hardswish",
        edge_op=exir_ops.edge.aten.hardswish.default,
        opcode=14,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=(Sample(inputs=((2, 3, 4),), low=-5.0, high=5.0),),
        # Otherwise the edge dialect splits it into add, clamp, mul, div and copies.
        keep_undecomposed=True,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="hardsigmoid",
        edge_op=exir_ops.edge.aten.hardsigmoid.default,
        opcode=15,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=(Sample(inputs=((2, 3, 4),), low=-5.0, high=5.0),),
        keep_undecomposed=True,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="leaky_relu",
        edge_op=exir_ops.edge.aten.leaky_relu.default,
        opcode=16,
        operands=_X,
        attrs=(Attr("negative_slope", AttrType.FLOAT, finite=True),),
        shape_rule=ShapeRule.SAME,
        constraints="negative_slope is a finite number",
        samples=(
            Sample(inputs=((2, 3, 4),), id="default"),
            Sample(inputs=((2, 3, 4),), kwargs={"negative_slope": 0.2}, id="slope"),
        ),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="exp",
        edge_op=exir_ops.edge.aten.exp.default,
        opcode=17,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=_UNARY_SAMPLES,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="sqrt",
        edge_op=exir_ops.edge.aten.sqrt.default,
        opcode=18,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape; NaN for negative inputs, as in PyTorch",
        samples=(Sample(inputs=((2, 3, 4),), low=0.0, high=9.0),),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="rsqrt",
        edge_op=exir_ops.edge.aten.rsqrt.default,
        opcode=19,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape; inf at 0 and NaN for negative inputs, as in PyTorch",
        samples=(Sample(inputs=((2, 3, 4),), low=0.01, high=9.0),),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="abs",
        edge_op=exir_ops.edge.aten.abs.default,
        opcode=20,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=_UNARY_SAMPLES,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="maximum",
        edge_op=exir_ops.edge.aten.maximum.default,
        opcode=21,
        operands=_XY,
        shape_rule=ShapeRule.BROADCAST,
        constraints=f"{_BROADCAST}; NaN if either is NaN",
        samples=_BROADCAST_SAMPLES,
        int8=True,
    ),
    OpSupport(
        name="minimum",
        edge_op=exir_ops.edge.aten.minimum.default,
        opcode=22,
        operands=_XY,
        shape_rule=ShapeRule.BROADCAST,
        constraints=f"{_BROADCAST}; NaN if either is NaN",
        samples=_BROADCAST_SAMPLES,
        int8=True,
    ),
    OpSupport(
        name="softmax",
        edge_op=exir_ops.edge.aten._softmax.default,
        opcode=23,
        operands=_X,
        attrs=(Attr("dim", AttrType.INT),),
        shape_rule=ShapeRule.ALONG_DIM,
        constraints="along one dimension; computed stably (the maximum is subtracted first)",
        check=_check_float_result,
        samples=(
            Sample(
                inputs=((2, 3, 4),),
                kwargs={"dim": -1, "half_to_float": False},
                low=-50.0,
                high=50.0,
                id="last",
            ),
            Sample(inputs=((2, 3, 4),), kwargs={"dim": 1, "half_to_float": False}, id="middle"),
        ),
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
    ),
    OpSupport(
        name="log_softmax",
        edge_op=exir_ops.edge.aten._log_softmax.default,
        opcode=24,
        operands=_X,
        attrs=(Attr("dim", AttrType.INT),),
        shape_rule=ShapeRule.ALONG_DIM,
        constraints="along one dimension; computed stably (x - max - log(sum(exp(x - max))))",
        check=_check_float_result,
        samples=(
            Sample(
                inputs=((2, 3, 4),),
                kwargs={"dim": -1, "half_to_float": False},
                low=-50.0,
                high=50.0,
                id="last",
            ),
            Sample(inputs=((2, 3, 4),), kwargs={"dim": 0, "half_to_float": False}, id="first"),
        ),
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
    ),
    # --- attention, normalization and concatenation
    OpSupport(
        name="layer_norm",
        # nn.LayerNorm exports as native_layer_norm; the output is output 0
        # (mean and rstd, outputs 1 and 2, serve training).
        edge_op=exir_ops.edge.aten.native_layer_norm.default,
        opcode=45,
        operands=(
            Operand("input"),
            Operand("weight", OperandRole.WEIGHT, optional=True),
            Operand("bias", OperandRole.WEIGHT, optional=True),
        ),
        attrs=_LAYER_NORM_ATTRS,
        shape_rule=ShapeRule.LAYER_NORM,
        constraints=(
            "over the trailing normalized_shape dimensions; optional weight and bias; mean, then "
            "the variance of the centred values, in double"
        ),
        check=_check_shape_rule(_LAYER_NORM_ATTRS, layer_norm_output_shape),
        quantization=_FIRST_OUTPUT_NOT_ANNOTATED,
        first_output_only=True,
        samples=(
            Sample(
                inputs=((2, 3, 8), (8,), (8,)),
                kwargs={"normalized_shape": [8], "eps": 1e-5},
                id="affine",
            ),
            Sample(
                inputs=((2, 4, 5), None, None),
                kwargs={"normalized_shape": [4, 5], "eps": 1e-3},
                id="two_dims",
            ),
            # A mean far from 0 for its spread: E[x^2] - E[x]^2 in float32 loses digits.
            Sample(
                inputs=((3, 16), (16,), None),
                kwargs={"normalized_shape": [16], "eps": 1e-5},
                low=10.0,
                high=11.0,
                id="large_mean",
            ),
        ),
    ),
    OpSupport(
        name="cat",
        edge_op=exir_ops.edge.aten.cat.default,
        opcode=46,
        operands=(Operand("tensors", variadic=True),),
        attrs=_CAT_ATTRS,
        shape_rule=ShapeRule.CAT,
        constraints="one or more tensors of one rank, equal except along dim (negative dims count from the end)",
        check=_check_shape_rule(_CAT_ATTRS, cat_output_shape),
        quantization=_NOT_ANNOTATED,
        samples=(
            Sample(inputs=(((2, 3), (2, 4)),), kwargs={"dim": 1}, id="two"),
            Sample(
                inputs=(((1, 2, 3), (2, 2, 3), (3, 2, 3)),), kwargs={"dim": 0}, id="three_first_dim"
            ),
            Sample(inputs=(((2, 3, 1), (2, 3, 2)),), kwargs={"dim": -1}, id="negative_dim"),
        ),
    ),
    OpSupport(
        name="split",
        # torch.split with a list of sizes, and the gates of nn.GRU and nn.LSTM.
        edge_op=exir_ops.edge.aten.split_with_sizes_copy.default,
        opcode=47,
        operands=_X,
        attrs=_SPLIT_ATTRS,
        shape_rule=ShapeRule.SPLIT,
        constraints="split_sizes add up to the size of dim; one output per size",
        check=_check_shape_rule(
            _SPLIT_ATTRS, lambda what, shapes, attrs: split_output_shapes(what, shapes[0], attrs)
        ),
        quantization=_NOT_ANNOTATED,
        variadic_outputs=True,
        samples=(
            Sample(inputs=((2, 6),), kwargs={"split_sizes": [1, 2, 3], "dim": 1}, id="three"),
            Sample(
                inputs=((4, 2, 3),), kwargs={"split_sizes": [2, 2], "dim": -3}, id="negative_dim"
            ),
        ),
    ),
    OpSupport(
        name="scaled_dot_product_attention",
        # Kept whole: nn.MultiheadAttention and F.scaled_dot_product_attention
        # export as this op, which would otherwise decompose into bmm, softmax,
        # causal-mask construction and bool masking.
        edge_op=exir_ops.edge.aten.scaled_dot_product_attention.default,
        opcode=48,
        operands=(
            Operand("query"),
            Operand("key"),
            Operand("value"),
            Operand("attn_mask", optional=True),
        ),
        attrs=_ATTENTION_ATTRS,
        shape_rule=ShapeRule.ATTENTION,
        constraints=(
            "query [..., l, e], key [..., s, e], value [..., s, ev] with equal batch dimensions; "
            "is_causal or an additive float mask; dropout_p 0; no enable_gqa; softmax computed stably"
        ),
        check=_check_attention,
        keep_undecomposed=True,
        samples=(
            Sample(inputs=((1, 2, 5, 4), (1, 2, 5, 4), (1, 2, 5, 4), None), id="plain"),
            Sample(
                inputs=((2, 3, 4, 8), (2, 3, 4, 8), (2, 3, 4, 6), None),
                kwargs={"is_causal": True},
                id="causal",
            ),
            Sample(
                inputs=((2, 4, 3), (2, 5, 3), (2, 5, 2), (4, 5)),
                kwargs={"scale": 0.3},
                id="mask_scale_rank3",
            ),
        ),
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
    ),
    OpSupport(
        name="addmm",
        # nn.Linear inside nn.GRU and nn.LSTM, and any linear that export decomposes.
        edge_op=exir_ops.edge.aten.addmm.default,
        opcode=49,
        operands=(Operand("self"), Operand("mat1"), Operand("mat2")),
        attrs=_ADDMM_ATTRS,
        shape_rule=ShapeRule.ADDMM,
        constraints="out = beta * self + alpha * (mat1 [n, k] @ mat2 [k, m]); self broadcasts to [n, m]",
        check=_check_shape_rule(
            _ADDMM_ATTRS, lambda what, shapes, attrs: addmm_output_shape(what, shapes)
        ),
        samples=(
            Sample(inputs=((4,), (2, 3), (3, 4)), id="bias_row"),
            Sample(
                inputs=((2, 4), (2, 3), (3, 4)), kwargs={"beta": 0.5, "alpha": 2.0}, id="beta_alpha"
            ),
        ),
        quantization=_NO_INTEGER_KERNEL,
        annotate=False,
    ),
    OpSupport(
        name="full",
        # Zero initial states of nn.GRU and nn.LSTM; the delegate fills them.
        edge_op=exir_ops.edge.aten.full.default,
        opcode=50,
        operands=(),
        attrs=_FULL_ATTRS,
        shape_rule=ShapeRule.FULL,
        constraints="a float32 tensor of the given size filled with fill_value",
        check=_check_shape_rule(
            _FULL_ATTRS, lambda what, shapes, attrs: full_output_shape(what, attrs)
        ),
        quantization=_NOT_ANNOTATED,
        samples=(Sample(inputs=(), kwargs={"size": [2, 3], "fill_value": 1.5}),),
    ),
    OpSupport(
        name="add_scalar",
        edge_op=exir_ops.edge.aten.add.Scalar,
        opcode=51,
        operands=_X,
        attrs=(Attr("other", AttrType.FLOAT), Attr("alpha", AttrType.FLOAT, finite=True)),
        shape_rule=ShapeRule.SAME,
        constraints="out = self + alpha * other for a number other",
        samples=(
            Sample(inputs=((2, 3),), kwargs={"other": 1e-6}, id="epsilon"),
            Sample(inputs=((2, 3),), kwargs={"other": 2.5, "alpha": -2}, id="alpha"),
        ),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="mul_scalar",
        edge_op=exir_ops.edge.aten.mul.Scalar,
        opcode=52,
        operands=_X,
        attrs=(Attr("other", AttrType.FLOAT),),
        shape_rule=ShapeRule.SAME,
        constraints="out = self * other for a number other",
        samples=(Sample(inputs=((2, 3, 4),), kwargs={"other": 0.125}),),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="pow_scalar",
        # RMSNorm's x.pow(2).
        edge_op=exir_ops.edge.aten.pow.Tensor_Scalar,
        opcode=53,
        operands=_X,
        attrs=(Attr("exponent", AttrType.FLOAT),),
        shape_rule=ShapeRule.SAME,
        constraints="a number exponent; x * x for 2, as PyTorch",
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"exponent": 2}, id="square"),
            Sample(inputs=((2, 3),), kwargs={"exponent": 0.5}, low=0.0, high=4.0, id="root"),
            Sample(inputs=((2, 3),), kwargs={"exponent": -1.5}, low=0.5, high=4.0, id="negative"),
        ),
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    # --- shape and layout operators
    OpSupport(
        name="view_copy",
        # view, reshape, flatten and view_as export as view_copy.
        edge_op=exir_ops.edge.aten.view_copy.default,
        opcode=25,
        operands=_X,
        attrs=_VIEW_ATTRS,
        shape_rule=ShapeRule.VIEW,
        constraints="size keeps the element count; at most one -1",
        check=_check_output_shape(_VIEW_ATTRS, view_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"size": [6, 4]}, id="sizes"),
            Sample(inputs=((2, 3, 4),), kwargs={"size": [-1, 12]}, id="inferred"),
            Sample(inputs=((2, 3, 4),), kwargs={"size": [24]}, id="flatten"),
            Sample(inputs=((1, 1),), kwargs={"size": []}, id="to_scalar"),
        ),
        int8=True,
        moves_data=True,
        aten_aliases=(
            aten.view.default,
            aten.reshape.default,
            aten.flatten.using_ints,
            aten.unflatten.int,
        ),
    ),
    OpSupport(
        name="permute_copy",
        # transpose, .T and .mT export as permute_copy.
        edge_op=exir_ops.edge.aten.permute_copy.default,
        opcode=26,
        operands=_X,
        attrs=_PERMUTE_ATTRS,
        shape_rule=ShapeRule.PERMUTE,
        constraints="dims is a permutation of the input's dimensions",
        check=_check_output_shape(_PERMUTE_ATTRS, permute_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"dims": [2, 0, 1]}, id="rotate"),
            Sample(inputs=((3, 5),), kwargs={"dims": [1, 0]}, id="transpose"),
            Sample(inputs=((2, 3, 4, 5),), kwargs={"dims": [0, 2, -3, 3]}, id="negative_dim"),
        ),
        int8=True,
        moves_data=True,
    ),
    OpSupport(
        name="squeeze_copy",
        # squeeze(), squeeze(dim) and squeeze(dims) all export as squeeze_copy.dims.
        edge_op=exir_ops.edge.aten.squeeze_copy.dims,
        opcode=27,
        operands=_X,
        attrs=_SQUEEZE_ATTRS,
        shape_rule=ShapeRule.SQUEEZE,
        constraints="removes the listed dimensions of size 1; the others stay",
        check=_check_output_shape(_SQUEEZE_ATTRS, squeeze_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 1, 3),), kwargs={"dim": [1]}, id="one"),
            Sample(inputs=((1, 3, 1, 1),), kwargs={"dim": [0, 1, 2, 3]}, id="all"),
            Sample(inputs=((2, 1),), kwargs={"dim": [-1]}, id="negative_dim"),
        ),
        int8=True,
        moves_data=True,
        aten_aliases=(aten.squeeze.dim, aten.squeeze.dims, aten.squeeze.default),
    ),
    OpSupport(
        name="unsqueeze_copy",
        edge_op=exir_ops.edge.aten.unsqueeze_copy.default,
        opcode=28,
        operands=_X,
        attrs=_UNSQUEEZE_ATTRS,
        shape_rule=ShapeRule.UNSQUEEZE,
        constraints="dim from -(rank + 1) to rank",
        check=_check_output_shape(_UNSQUEEZE_ATTRS, unsqueeze_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 3),), kwargs={"dim": 0}, id="first"),
            Sample(inputs=((2, 3),), kwargs={"dim": -1}, id="last"),
            Sample(inputs=((2, 3),), kwargs={"dim": 1}, id="middle"),
        ),
        int8=True,
        moves_data=True,
        aten_aliases=(aten.unsqueeze.default,),
    ),
    OpSupport(
        name="expand_copy",
        edge_op=exir_ops.edge.aten.expand_copy.default,
        opcode=29,
        operands=_X,
        attrs=_EXPAND_ATTRS,
        shape_rule=ShapeRule.EXPAND,
        constraints="size-1 dimensions broadcast to size; -1 keeps a dimension; new dimensions lead",
        check=_check_output_shape(_EXPAND_ATTRS, expand_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 1, 4),), kwargs={"size": [2, 3, 4]}, id="broadcast"),
            Sample(inputs=((2, 1, 4),), kwargs={"size": [-1, 3, -1]}, id="keep"),
            Sample(inputs=((3, 1),), kwargs={"size": [2, 3, 5]}, id="new_dims"),
        ),
        int8=True,
        moves_data=True,
    ),
    OpSupport(
        name="clone",
        # clone() and contiguous() export as _clone_dim_order.
        edge_op=exir_ops.edge.dim_order_ops._clone_dim_order.default,
        opcode=30,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="into the contiguous dim order only",
        check=_contiguous_dim_order,
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 3, 4),), id="default"),
            Sample(inputs=((2, 3, 4),), kwargs={"dim_order": [0, 1, 2]}, id="contiguous"),
        ),
        int8=True,
        moves_data=True,
        aten_aliases=(aten.clone.default, aten.contiguous.default),
    ),
    OpSupport(
        name="slice_copy",
        # x[a:b:c] and narrow export as slice_copy.Tensor.
        edge_op=exir_ops.edge.aten.slice_copy.Tensor,
        opcode=31,
        operands=_X,
        attrs=_SLICE_ATTRS,
        shape_rule=ShapeRule.SLICE,
        constraints="step at least 1; negative and out-of-range start and end are clamped as PyTorch does",
        check=_check_output_shape(_SLICE_ATTRS, slice_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((4, 6),), kwargs={"dim": 1, "start": 1, "end": 4}, id="range"),
            Sample(
                inputs=((2, 7, 3),),
                kwargs={"dim": 1, "start": 0, "end": 2**63 - 1, "step": 3},
                id="step",
            ),
            Sample(inputs=((2, 3, 5),), kwargs={"dim": -1, "start": -3, "end": -1}, id="negative"),
            Sample(inputs=((5, 2),), kwargs={"dim": 0, "start": -100, "end": 3}, id="clamped"),
            Sample(inputs=((5, 2),), kwargs={"dim": 0, "start": 4, "end": 2}, id="empty"),
            Sample(inputs=((5, 4),), kwargs={"dim": 1, "step": 2}, id="absent_start_end"),
        ),
        int8=True,
        moves_data=True,
    ),
    OpSupport(
        name="select_copy",
        # x[:, i] and unbind export as select_copy.int.
        edge_op=exir_ops.edge.aten.select_copy.int,
        opcode=32,
        operands=_X,
        attrs=_SELECT_ATTRS,
        shape_rule=ShapeRule.SELECT,
        constraints="index from -size to size - 1",
        check=_check_output_shape(_SELECT_ATTRS, select_output_shape),
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=(
            Sample(inputs=((2, 3, 4),), kwargs={"dim": 1, "index": 2}, id="middle"),
            Sample(inputs=((3, 4),), kwargs={"dim": 0, "index": -1}, id="negative_index"),
            Sample(inputs=((4,),), kwargs={"dim": -1, "index": 1}, id="to_scalar"),
        ),
        int8=True,
        moves_data=True,
    ),
    OpSupport(
        name="neg",
        edge_op=exir_ops.edge.aten.neg.default,
        opcode=33,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        samples=_UNARY_SAMPLES,
        quantization=_LOOKUP_TABLE,
        int8=True,
    ),
    OpSupport(
        name="alias_copy",
        # x.detach() exports as alias_copy.
        edge_op=exir_ops.edge.aten.alias_copy.default,
        opcode=34,
        operands=_X,
        shape_rule=ShapeRule.SAME,
        constraints="any shape",
        quantization=_LAYOUT,
        output_shares_input_qparams=True,
        samples=_UNARY_SAMPLES,
        int8=True,
        moves_data=True,
        aten_aliases=(aten.alias.default, aten.detach.default),
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


_BY_ATEN_ALIAS: Dict[Any, OpSupport] = {
    alias: _entry for _entry in OP_SUPPORT for alias in _entry.aten_aliases
}


def lookup_annotated(target: Any) -> Optional[OpSupport]:
    """The entry the quantizer annotates a call of ``target`` as: its own, or the entry that
    lists it in ``aten_aliases`` (``aten.transpose`` is annotated as ``permute_copy``)."""
    entry = lookup(target)
    if entry is not None:
        return entry
    try:
        return _BY_ATEN_ALIAS.get(target)
    except TypeError:  # unhashable targets (some higher-order ops)
        return None


def lookup_node(node: Node) -> Optional[OpSupport]:
    """The entry of a call node; a ``getitem`` of a multi-output op resolves to the op's entry."""
    if node.op != "call_function":
        return None
    if node.target is operator.getitem and isinstance(node.args[0], Node):
        entry = lookup_node(node.args[0])
        multi_output = entry is not None and (entry.first_output_only or entry.variadic_outputs)
        return entry if multi_output else None
    return lookup(node.target)


def constant_nodes(program: ExportedProgram) -> FrozenSet[Node]:
    """The placeholders of ``program`` that hold constant data: parameters,
    buffers that the program does not mutate, and lifted constants."""
    signature = program.graph_signature
    mutated = set(signature.buffers_to_mutate.values())
    return frozenset(
        node
        for node in program.graph.nodes
        if node.op == "placeholder"
        and (
            is_param(program, node)
            or is_lifted_tensor_constant(program, node)
            or (is_buffer(program, node) and signature.inputs_to_buffers[node.name] not in mutated)
        )
    )


# `.to()`, `.float()` and the Python scalar of `x + 1` export as
# `_to_dim_order_copy`, which to_edge keeps only where it changes the dtype or
# the dim order (it removes a float32 copy in the same order). No kernel runs
# one: a conversion of constant data to float32 in the contiguous dim order
# (the scalar becomes an int64 constant tensor) is done ahead of time by
# preprocess, which stores the result as a float32 constant; any other
# conversion stays on the CPU.
TO_DIM_ORDER_COPY = exir_ops.edge.dim_order_ops._to_dim_order_copy.default


def _conversion_problem(node: Node, constants: Container[Node]) -> Optional[str]:
    """Why preprocess cannot do the ``_to_dim_order_copy`` ``node`` ahead of time."""
    problem = _tensor_problem(node.meta.get("val"), SUPPORTED_DTYPES)
    if problem:
        return f"its output {problem}"
    # Its arguments after the tensor are keyword-only.
    problem = _contiguous_dim_order(node, node.kwargs)
    if problem:
        return problem
    source = node.args[0]
    value = source.meta.get("val") if isinstance(source, Node) else None
    if source not in constants or not isinstance(value, torch.Tensor):
        dtype = str(getattr(value, "dtype", "?")).replace("torch.", "")
        return (
            f"it converts {getattr(source, 'name', source)} ({dtype}) at run time; only a "
            "conversion of constant data to float32 is supported (done ahead of time)"
        )
    if value.is_complex():
        return f"it converts complex constant data {source.name}; only real data is supported"
    return None


def folds_to_constant(node: Node, constants: Container[Node]) -> bool:
    """Whether ``node`` converts constant data to float32, which preprocess does ahead of time.

    ``constants`` are the placeholders that hold constant data (``constant_nodes``).
    """
    return (
        node.op == "call_function"
        and node.target == TO_DIM_ORDER_COPY
        and _conversion_problem(node, constants) is None
    )


def why_unsupported(node: Node, constants: Container[Node] = frozenset()) -> Optional[str]:
    """Why the backend cannot run ``node``, or None when it can.

    ``constants``: the placeholders holding constant data, when the caller
    knows them (``constant_nodes``); a conversion of such data is supported.
    """
    return _own_problem(node, constants) or _size_problem(node, constants)


def is_size_arithmetic(node: Node) -> bool:
    """A node computing a size from a dynamic dimension: ``sym_size``, or SymInt
    arithmetic such as ``batch * heads``. It holds no tensor."""
    return node.op == "call_function" and _is_symbolic(node)


def size_group(size: Node) -> Tuple[List[Node], List[Node]]:
    """The size arithmetic connected to size node ``size`` (through its inputs and users),
    and the other nodes that read it: they go into the delegate together or not at all."""
    sizes: Dict[Node, None] = {}
    readers: Dict[Node, None] = {}
    pending = [size]
    while pending:
        node = pending.pop()
        if node in sizes:
            continue
        sizes[node] = None
        for neighbour in (*node.all_input_nodes, *node.users):
            if is_size_arithmetic(neighbour):
                pending.append(neighbour)
            elif neighbour in node.users:
                readers[neighbour] = None
    return list(sizes), list(readers)


def _size_problem(node: Node, constants: Container[Node]) -> Optional[str]:
    """Size arithmetic runs in the delegate with the views that read it (which store its
    value as -1), so every node reading it must be delegated too: a delegate takes and
    returns tensors, not sizes."""
    starts = [node] if is_size_arithmetic(node) else node.all_input_nodes
    for start in filter(is_size_arithmetic, starts):
        for reader in size_group(start)[1]:
            reason = _own_problem(reader, constants)
            if reason is not None:
                return (
                    f"the size {start.name} depends on a dynamic dimension and is also "
                    f"read by {reader.name}, which stays on the CPU ({reason})"
                )
    return None


def _own_problem(node: Node, constants: Container[Node]) -> Optional[str]:
    if node.op != "call_function":
        return f"it is a {node.op} node"
    if is_size_arithmetic(node):
        return None  # decided by the nodes that read it (_size_problem)
    if node.target == TO_DIM_ORDER_COPY:
        return _conversion_problem(node, constants)
    if node.target is operator.getitem and lookup_node(node) is not None:
        # An output of a supported multi-output op goes with the op.
        source = node.args[0]
        if lookup_node(source).first_output_only and node.args[1] != 0:
            return f"it takes output {node.args[1]} of {source.name}; only output 0 is computed"
        return why_unsupported(source)
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
            # Several outputs come as variadic_outputs (one per tensor of the
            # op's result list) or first_output_only (output 0 of a tuple).
            raise ValueError(
                f"{where}: num_outputs {entry.num_outputs}; use variadic_outputs for an op "
                "returning a list of tensors"
            )
        if entry.int8_prepare and not entry.int8:
            raise ValueError(
                f"{where}: int8_prepare needs int8=True (it prepares the integer kernel)"
            )
        if entry.aten_aliases and not entry.moves_data:
            raise ValueError(f"{where}: aten_aliases are for moves_data entries only")
        if entry.moves_data and not (entry.int8 and entry.output_shares_input_qparams):
            raise ValueError(
                f"{where}: moves_data needs int8=True and output_shares_input_qparams=True "
                "(its kernel serves int8 by moving bytes that keep their qparams)"
            )
        if entry.first_output_only and entry.variadic_outputs:
            raise ValueError(f"{where}: first_output_only and variadic_outputs exclude each other")
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
            if operand.variadic != isinstance(kind, torch.ListType):
                raise ValueError(
                    f"{where}: operand {operand.name!r} must have variadic={not operand.variadic}"
                )
        for alias in entry.annotated_aliases:
            alias_arguments = _argument_types(alias)
            missing = [o.name for o in entry.operands if o.name not in alias_arguments]
            if missing:
                raise ValueError(
                    f"{where}: annotated alias {alias} has no operand {', '.join(missing)}"
                )
        if any(operand.variadic for operand in entry.operands[:-1]):
            raise ValueError(f"{where}: a variadic operand must come last")
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
            for operand, shapes in zip(entry.operands, sample.inputs):
                if operand.variadic and not (
                    isinstance(shapes, tuple)
                    and shapes
                    and all(isinstance(s, tuple) for s in shapes)
                ):
                    raise ValueError(
                        f"{where}: sample {sample.id or sample.inputs} gives {shapes!r} for the "
                        f"variadic operand {operand.name!r}; give a tuple of shapes"
                    )
            unknown = sorted(set(sample.kwargs) - set(arguments))
            if unknown:
                raise ValueError(
                    f"{where}: sample {sample.id or sample.inputs} passes {unknown}, "
                    f"which {entry.aten_op} does not take"
                )


_self_check(OP_SUPPORT)
