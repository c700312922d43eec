"""{{ cookiecutter.__backend_id }}: the ahead-of-time half of the backend.

``preprocess`` receives one delegated subgraph (an edge-dialect
ExportedProgram that the partitioner carved out) and returns the blob the C++
runtime executes, laid out as ``serialization/FORMAT.md`` describes:

* user-input placeholders become the delegate inputs, in order;
* every tensor is recorded with its upper-bound shape: a dimension exported
  with ``torch.export.Dim(..., max=N)`` is stored as N with its bit set in
  ``dynamic_dims``, and the runtime computes the actual sizes on each call;
* parameters, buffers and lifted constants become constant tensors whose data
  goes to the program's named data (one entry per distinct content, under
  ``{{ cookiecutter.__backend_id }}_<sha256 hex>``) rather than into the blob; a conversion
  of constant data to float32 (the int64 scalar of ``x + 1``) is done here and
  its result stored the same way (``op_support.folds_to_constant``);
* each call becomes an op record, in graph (topological) order, with the
  operands and attributes its table entry (``op_support.py``) declares;
* the output node lists the delegate outputs.

Quantized graphs (PT2E static int8) are folded as XNNPACK's and Arm's
backends fold them:

* a ``dequantize`` of a constant int8 weight becomes that constant, stored
  as int8 with its scales and zero points (per tensor, or per channel along
  axis 0);
* a ``quantize`` produces an int8 tensor with its scale and zero point; a
  ``dequantize`` of it needs no op: its consumers read the int8 tensor;
* an integer-capable op (``OpSupport.int8``) whose tensor operands all come
  from such dequantize ops and whose only user is a ``quantize`` (through
  the ``getitem`` of output 0 for max pooling) is written
  as one op on int8 tensors, its output carrying the quantize's qparams; a
  float bias is quantized here to int32 with scale input scale x weight
  scale (per channel when the weights are) and zero point 0, rounding half
  to even; the runtime runs the op's integer kernel;
* anything else that reads an int8 tensor as float (an op without integer
  kernel, a float output of the delegate) reads it through a ``dequantize``
  op; a float tensor that is quantized is written by a ``quantize`` op. Such
  ops compute in float inside the delegate (weight-only and dynamic
  quantization of linear do, from int8 weights).

The class name is the backend id written into the .pte: ExecuTorch finds
this class by name at lowering time, and the C++ runtime registers itself
under the same string, so renaming one means renaming the other.
"""

from __future__ import annotations

import hashlib
import operator
from typing import Any, Dict, List, Optional, Tuple, final

import torch
from executorch.exir._serialize._named_data_store import NamedDataStore
from executorch.exir.backend.backend_details import BackendDetails, PreprocessResult
from executorch.exir.backend.compile_spec_schema import CompileSpec
from executorch.exir.dialects._ops import ops as exir_ops
from torch._export.utils import (
    get_buffer,
    get_lifted_tensor_constant,
    get_param,
    is_buffer,
    is_lifted_tensor_constant,
    is_param,
)
from torch.export import ExportedProgram
from torch.fx import Node

from .compile_spec import CompileOptions, parse_compile_specs
from .op_support import (
    DynamicSize,
    OperandRole,
    OpSupport,
    UnboundedShapeError,
    constant_nodes,
    folds_to_constant,
    is_size_arithmetic,
    lookup,
    upper_bound_shape,
    why_unsupported,
)
from .serialization.blob_format import (
    MAX_RANK,
    SCALAR_TYPE_FLOAT32,
    SCALAR_TYPE_INT8,
    SCALAR_TYPE_INT32,
    Constant,
    DelegateGraph,
    Op,
    QuantParams,
    TensorInfo,
    dimension_reference,
    serialize,
)

_QUANTIZE = exir_ops.edge.quantized_decomposed.quantize_per_tensor.default
_DEQUANTIZE = exir_ops.edge.quantized_decomposed.dequantize_per_tensor.default
_DEQUANTIZE_PER_CHANNEL = exir_ops.edge.quantized_decomposed.dequantize_per_channel.default
_DEQUANTIZE_OPS = (_DEQUANTIZE, _DEQUANTIZE_PER_CHANNEL)
# Blob dtype codes of the tensors a delegate holds.
_DTYPE_CODES = {
    torch.float32: SCALAR_TYPE_FLOAT32,
    torch.int8: SCALAR_TYPE_INT8,
    torch.int32: SCALAR_TYPE_INT32,
}

# Named data is read back on the device; 16 bytes suits vector loads of float32.
CONSTANT_ALIGNMENT = 16


class PreprocessError(RuntimeError):
    """The delegated graph holds something the blob cannot express.

    Raised instead of writing a blob that would compute the wrong thing; it
    means the partitioner claimed a node it should have left on the CPU.
    """


def named_data_key(data: bytes) -> str:
    """The key under which constant ``data`` is stored in the program's named data."""
    backend_id = {{ cookiecutter.__backend_id }}.__name__
    return f"{backend_id}_{hashlib.sha256(data).hexdigest()}"


@final
class {{ cookiecutter.__backend_id }}(BackendDetails):
    """Lowers delegated subgraphs to {{ cookiecutter.__backend_id }} blobs (see module docstring)."""

    @staticmethod
    def preprocess(
        edge_program: ExportedProgram,
        compile_specs: List[CompileSpec],
    ) -> PreprocessResult:
        options = parse_compile_specs(compile_specs)
        builder = _BlobBuilder(edge_program, options)
        builder.build()
        # HARDWARE-INTEGRATION: this is where your compiler takes over. Hand
        # builder.graph (or edge_program itself) to it and return its binary as
        # processed_bytes; keep large weights in the named data store so that
        # they can live in the .pte or in an external .ptd file.
        return PreprocessResult(
            processed_bytes=serialize(builder.graph),
            debug_handle_map=builder.debug_handle_map,
            data_store_output=builder.named_data.get_named_data_store_output(),
        )


class _BlobBuilder:
    """Walks one delegated graph and fills a DelegateGraph and a NamedDataStore."""

    def __init__(self, program: ExportedProgram, options: CompileOptions) -> None:
        self.program = program
        self.options = options
        self.graph = DelegateGraph()
        self.named_data = NamedDataStore()
        # op index -> debug handles of the node it came from (devtools use it
        # to match runtime profiling events to the original model).
        self.debug_handle_map: Dict[int, Tuple[int, ...]] = {}
        # node -> the tensor holding its value (for a dequantize node: the
        # int8 tensor it reads; _float_id dequantizes on demand).
        self._tensor_ids: Dict[Node, int] = {}
        # int8 tensor id -> the float tensor of its dequantize op.
        self._dequantized: Dict[int, int] = {}
        # quantize nodes whose tensor an integer op already writes.
        self._folded: set = set()
        # Multi-output nodes: the tensor of each output the op record writes.
        self._output_ids: Dict[Node, Tuple[int, ...]] = {}
        self._constants = constant_nodes(program)
        # A dynamic dimension (its symbol) -> the first delegate input dimension of that
        # size, (tensor id, dim): what a DynamicSize attribute entry refers to.
        self._input_dims: Dict[Any, Tuple[int, int]] = {}

    def build(self) -> None:
        for node in self.program.graph.nodes:
            if node.op == "placeholder":
                if self._constant_data(node) is None:
                    tensor_id = self._new_tensor(node, node.meta.get("val"))
                    self._tensor_ids[node] = tensor_id
                    self.graph.inputs.append(tensor_id)
                    self._record_input_dims(tensor_id, node.meta["val"])
                # Constants are written when an op first reads them: a weight
                # as the int8 data of its dequantize, scales not at all, other
                # dtypes (an int64 scalar) only as the float32 result of a
                # conversion that _add_op folds.
            elif node.op == "call_function":
                if node.target is _QUANTIZE:
                    self._add_quantize(node)
                elif node.target in _DEQUANTIZE_OPS:
                    self._add_dequantize(node)
                elif node.target is operator.getitem:
                    self._add_getitem(node)
                elif is_size_arithmetic(node):
                    # A dynamic size: the ops reading it store it as -1 (views) or as
                    # a reference to an input dimension (DynamicSize).
                    reason = why_unsupported(node, self._constants)
                    if reason is not None:
                        raise PreprocessError(
                            f"{self._backend} cannot run node {node.name!r}: {reason}"
                        )
                else:
                    self._add_op(node)
            elif node.op == "output":
                self._add_outputs(node)
            else:
                raise PreprocessError(
                    f"{self._backend} cannot serialize {node.op} node {node.name!r}"
                )

    def _record_input_dims(self, tensor_id: int, value: torch.Tensor) -> None:
        for dim, size in enumerate(value.shape):
            if isinstance(size, torch.SymInt):
                self._input_dims.setdefault(size.node.expr, (tensor_id, dim))

    def _attr_values(self, node: Node, entry: OpSupport) -> Tuple:
        """The op record's attributes, each DynamicSize as a dimension reference."""

        def reference(item: Any) -> Any:
            if not isinstance(item, DynamicSize):
                return item
            if item.symbol not in self._input_dims:
                raise PreprocessError(
                    f"{self._backend} cannot run node {node.name!r}: a size equals the dynamic "
                    f"dimension {item.symbol}, which no delegate input has"
                )
            return dimension_reference(*self._input_dims[item.symbol])

        return tuple(
            tuple(reference(item) for item in value) if isinstance(value, (list, tuple)) else value
            for value in entry.attr_values(node)
        )

    @property
    def _backend(self) -> str:
        return {{ cookiecutter.__backend_id }}.__name__

    # --- tensors ----------------------------------------------------------

    def _add_tensor(
        self,
        node: Node,
        sizes: Tuple[int, ...],
        dtype: torch.dtype,
        quant: Optional[QuantParams] = None,
        dynamic_dims: int = 0,
    ) -> int:
        """A tensor record; ``dynamic_dims``: bit d set when sizes[d] is an upper bound."""
        if dtype not in _DTYPE_CODES:
            raise PreprocessError(
                f"{self._backend}: {node.name!r} has dtype {dtype}; blobs hold float32, int8, int32"
            )
        if len(sizes) > MAX_RANK or not all(isinstance(s, int) for s in sizes):
            raise PreprocessError(
                f"{self._backend}: {node.name!r} has shape {list(sizes)}; blobs hold "
                f"static shapes of rank at most {MAX_RANK}"
            )
        self.graph.tensors.append(
            TensorInfo(tuple(sizes), _DTYPE_CODES[dtype], quant, dynamic_dims=dynamic_dims)
        )
        return len(self.graph.tensors) - 1

    def _new_tensor(self, node: Node, value: object) -> int:
        if not isinstance(value, torch.Tensor):
            raise PreprocessError(
                f"{self._backend}: {node.name!r} is {type(value).__name__}, not a tensor"
            )
        try:
            shape = upper_bound_shape(value.shape)
        except UnboundedShapeError as error:
            raise PreprocessError(f"{self._backend}: {node.name!r} {error}") from None
        return self._add_tensor(node, shape.sizes, value.dtype, dynamic_dims=shape.dynamic_dims)

    def _constant_data(self, node: Node) -> Optional[torch.Tensor]:
        """The data of a parameter, buffer or lifted constant; None for a user input."""
        program = self.program
        if not isinstance(node, Node) or node.op != "placeholder":
            return None
        if is_param(program, node):
            return get_param(program, node)
        if is_buffer(program, node):
            return get_buffer(program, node)
        if is_lifted_tensor_constant(program, node):
            return get_lifted_tensor_constant(program, node)
        return None

    def _add_constant(
        self, node: Node, data: torch.Tensor, quant: Optional[QuantParams] = None
    ) -> int:
        tensor_id = self._add_tensor(node, tuple(data.shape), data.dtype, quant)
        raw = data.detach().contiguous().cpu().numpy().tobytes()
        key = named_data_key(raw)
        # Equal data gets the same key, so the store keeps a single copy.
        self.named_data.add_named_data(key, raw, alignment=CONSTANT_ALIGNMENT)
        self.graph.constants.append(Constant(tensor_id, key, len(raw)))
        return tensor_id

    def _id(self, node: Node) -> int:
        """The tensor of ``node``'s value; a constant is written on first use."""
        if node not in self._tensor_ids:
            data = self._constant_data(node)
            if data is None:
                raise PreprocessError(
                    f"{self._backend}: {node.name!r} is read before it is computed"
                )
            self._tensor_ids[node] = self._add_constant(node, data)
        return self._tensor_ids[node]

    def _float_id(self, node: Node) -> int:
        """``node``'s value as a float32 tensor: an int8 one is read through a dequantize op."""
        tensor_id = self._id(node)
        if self.graph.tensors[tensor_id].dtype == SCALAR_TYPE_FLOAT32:
            return tensor_id
        if tensor_id not in self._dequantized:
            info = self.graph.tensors[tensor_id]
            if info.dtype != SCALAR_TYPE_INT8 or info.quant is None:
                raise PreprocessError(
                    f"{self._backend}: {node.name!r} is a {info.dtype} tensor without int8 "
                    "quantization parameters; only quantized int8 tensors can be dequantized"
                )
            out = self._add_tensor(node, info.sizes, torch.float32, dynamic_dims=info.dynamic_dims)
            self._append_op(node, lookup(_DEQUANTIZE), (tensor_id,), (out,), (), "dequantize")
            self._dequantized[tensor_id] = out
        return self._dequantized[tensor_id]

    # --- quantization parameters -------------------------------------------

    def _qparams(self, node: Node) -> QuantParams:
        """The scale(s) and zero point(s) of a quantize/dequantize node."""
        if node.target is _DEQUANTIZE_PER_CHANNEL:
            scales = self._constant_data(node.args[1])
            zeros = self._constant_data(node.args[2]) if isinstance(node.args[2], Node) else None
            if scales is None:
                raise PreprocessError(
                    f"{self._backend}: {node.name!r}: per-channel scales are not constants"
                )
            zero_points = (
                (0,) * scales.numel() if zeros is None else tuple(int(z) for z in zeros.tolist())
            )
            return QuantParams(
                tuple(float(v) for v in scales.tolist()), zero_points, axis=int(node.args[3])
            )
        scale, zero_point = node.args[1], node.args[2]
        if not isinstance(scale, (int, float)) or not isinstance(zero_point, int):
            raise PreprocessError(
                f"{self._backend}: {node.name!r}: scale and zero point must be numbers "
                f"(static quantization), got {scale!r} and {zero_point!r}"
            )
        return QuantParams((float(scale),), (int(zero_point),))

    def _add_quantize(self, node: Node) -> None:
        if node in self._folded:
            return
        entry = lookup(_QUANTIZE)
        self._refuse_unsupported(node, entry)
        moved = self._int8_operand(node.args[0])
        if moved is not None and moved.quant == self._qparams(node):
            # int8 values moved by a layout op, quantized again with their own
            # qparams: the quantize changes nothing.
            self._tensor_ids[node] = self._tensor_ids[node.args[0]]
            return
        source = self._float_id(node.args[0])
        info = self.graph.tensors[source]
        out = self._add_tensor(
            node, info.sizes, torch.int8, self._qparams(node), dynamic_dims=info.dynamic_dims
        )
        self._append_op(node, entry, (source,), (out,), (), node.name)
        self._tensor_ids[node] = out

    def _add_dequantize(self, node: Node) -> None:
        """A dequantize is no op of its own: its consumers read the quantized tensor."""
        source = node.args[0]
        quant = self._qparams(node)
        data = self._constant_data(source)
        if data is not None:
            # A quantized weight (int8) or bias (int32): stored as integers.
            self._tensor_ids[node] = self._add_constant(source, data, quant)
            return
        tensor_id = self._id(source)
        info = self.graph.tensors[tensor_id]
        if info.quant is None:
            # An int8 delegate input: it takes the dequantize's qparams.
            self.graph.tensors[tensor_id] = TensorInfo(
                info.sizes, info.dtype, quant, info.dynamic_dims
            )
        elif info.quant != quant:
            raise PreprocessError(
                f"{self._backend}: {node.name!r} dequantizes {source.name!r} with {quant}, "
                f"but it was quantized with {info.quant}"
            )
        self._tensor_ids[node] = tensor_id

    # --- ops -----------------------------------------------------------------

    def _refuse_unsupported(self, node: Node, entry: Optional[OpSupport]) -> OpSupport:
        if entry is None:
            raise PreprocessError(
                f"{self._backend} has no operator for node {node.name!r} ({node.target}); "
                "the partitioner should have left it on the CPU"
            )
        reason = entry.unsupported_reason(node)
        if reason is not None:
            raise PreprocessError(
                f"{self._backend} cannot run node {node.name!r} ({entry.name}): {reason}"
            )
        return entry

    def _append_op(
        self,
        node: Node,
        entry: OpSupport,
        inputs: Tuple[Optional[int], ...],
        outputs: Tuple[int, ...],
        attrs: Tuple,
        name: str,
    ) -> None:
        op_index = len(self.graph.ops)
        self.graph.ops.append(
            Op(
                entry.opcode,
                inputs,
                outputs,
                attrs=attrs,
                name=name if self.options.debug_names else "",
            )
        )
        debug_handle = node.meta.get("debug_handle")
        if isinstance(debug_handle, int) and debug_handle > 0:
            self.debug_handle_map[op_index] = (debug_handle,)

    def _add_op(self, node: Node) -> None:
        if folds_to_constant(node, self._constants):
            data = self._constant_data(node.args[0]).to(torch.float32)
            self._tensor_ids[node] = self._add_constant(node, data)
            return
        entry = self._refuse_unsupported(node, lookup(node.target))
        attrs = self._attr_values(node, entry)
        quantize = self._integer_output(node, entry)
        if quantize is not None:
            self._add_integer_op(node, entry, quantize, attrs)
            return
        if entry.moves_data and entry.int8_reason(node) is None:
            moved = self._int8_operand(entry.operand_nodes(node)[0])
            if moved is not None and moved.quant.axis is None:
                self._add_moved_int8(node, entry, moved, attrs)
                return
        # Float: an absent optional operand (linear without bias) is None.
        inputs = tuple(
            None if operand is None else self._float_id(operand)
            for operand in entry.operand_nodes(node)
        )
        # A first_output_only entry writes output 0 of the ATen op; a
        # variadic_outputs entry writes every tensor of the op's result list.
        value = node.meta.get("val")
        if entry.variadic_outputs:
            outputs = tuple(self._new_tensor(node, item) for item in value)
            self._output_ids[node] = outputs
        elif entry.first_output_only:
            outputs = (self._new_tensor(node, value[0]),)
            self._output_ids[node] = outputs
        else:
            outputs = (self._new_tensor(node, value),)
            self._tensor_ids[node] = outputs[0]
        self._append_op(node, entry, inputs, outputs, attrs, node.name)

    def _add_getitem(self, node: Node) -> None:
        """One output of a multi-output op: the tensor the op record wrote."""
        reason = why_unsupported(node)
        source = node.args[0]
        if reason is not None or source not in self._output_ids:
            raise PreprocessError(
                f"{self._backend} cannot run node {node.name!r} (getitem): "
                f"{reason or 'its source is not in the delegate'}"
            )
        self._tensor_ids[node] = self._output_ids[source][node.args[1]]

    def _int8_operand(self, node: Optional[Node]) -> Optional[TensorInfo]:
        """The int8 tensor a dequantize operand reads (or an op that moves int8 values writes), or None."""
        if not isinstance(node, Node) or node not in self._tensor_ids:
            return None
        entry = lookup(node.target)
        if node.target not in _DEQUANTIZE_OPS and not (entry is not None and entry.moves_data):
            return None
        info = self.graph.tensors[self._tensor_ids[node]]
        return info if info.dtype == SCALAR_TYPE_INT8 and info.quant is not None else None

    def _integer_output(self, node: Node, entry: OpSupport) -> Optional[Node]:
        """The quantize node that ends ``node``'s int8 group, or None when it runs in float."""
        if entry.int8_reason(node) is not None or len(node.users) != 1:
            return None
        (user,) = node.users
        if entry.first_output_only:
            # max_pool2d: the quantize reads output 0 through its getitem.
            if user.target is not operator.getitem or len(user.users) != 1:
                return None
            (user,) = user.users
        if user.target is not _QUANTIZE or lookup(_QUANTIZE).unsupported_reason(user) is not None:
            return None
        for operand, operand_node in zip(entry.operands, entry.operand_nodes(node)):
            if operand.role is OperandRole.BIAS:
                if operand_node is not None and self._bias_data(operand_node) is None:
                    return None
                continue
            info = self._int8_operand(operand_node)
            if info is None:
                return None
            if info.quant.axis is not None and (
                operand.role is not OperandRole.WEIGHT or info.quant.axis != 0
            ):
                return None
        return user

    def _add_moved_int8(
        self, node: Node, entry: OpSupport, source: TensorInfo, attrs: Tuple
    ) -> None:
        """An op that only moves the values of an int8 tensor, with no quantize after it (an
        op the quantizer never saw, such as the clone that to_edge adds before an output):
        it moves the int8 values, which keep their qparams; a float consumer dequantizes."""
        inputs = tuple(
            None if operand is None else self._tensor_ids[operand]
            for operand in entry.operand_nodes(node)
        )
        shape = upper_bound_shape(node.meta["val"].shape)
        output = self._add_tensor(
            node, shape.sizes, torch.int8, source.quant, dynamic_dims=shape.dynamic_dims
        )
        self._tensor_ids[node] = output
        self._append_op(node, entry, inputs, (output,), attrs, node.name)

    def _bias_data(self, node: Node) -> Optional[torch.Tensor]:
        """A float constant bias, or None (an int32 bias arrives as a dequantize)."""
        data = self._constant_data(node)
        return data if data is not None and data.dtype == torch.float32 else None

    def _add_integer_op(self, node: Node, entry: OpSupport, quantize: Node, attrs: Tuple) -> None:
        operand_nodes = entry.operand_nodes(node)
        inputs: List[Optional[int]] = []
        for operand, operand_node in zip(entry.operands, operand_nodes):
            if operand_node is None:
                inputs.append(None)
            elif operand.role is OperandRole.BIAS:
                inputs.append(self._int32_bias(node, entry, operand_nodes, operand_node))
            else:
                inputs.append(self._tensor_ids[operand_node])
        value = node.meta["val"]
        value = value[0] if entry.first_output_only else value
        shape = upper_bound_shape(value.shape)
        output = self._add_tensor(
            quantize,
            shape.sizes,
            torch.int8,
            self._qparams(quantize),
            dynamic_dims=shape.dynamic_dims,
        )
        if entry.first_output_only:
            self._output_ids[node] = (output,)
        else:
            self._tensor_ids[node] = output
        self._tensor_ids[quantize] = output
        self._folded.add(quantize)
        self._append_op(node, entry, tuple(inputs), (output,), attrs, node.name)

    def _int32_bias(
        self, node: Node, entry: OpSupport, operand_nodes: List[Optional[Node]], bias: Node
    ) -> int:
        """The float bias quantized to int32: scale input scale x weight scale, zero point 0."""
        roles = [operand.role for operand in entry.operands]
        x_quant = self.graph.tensors[
            self._tensor_ids[operand_nodes[roles.index(OperandRole.ACTIVATION)]]
        ].quant
        w_quant = self.graph.tensors[
            self._tensor_ids[operand_nodes[roles.index(OperandRole.WEIGHT)]]
        ].quant
        # float32 products, as the scales are stored (XNNPACK's from_bias).
        scales = tuple(
            float(
                torch.tensor(x_quant.scales[0], dtype=torch.float32)
                * torch.tensor(s, dtype=torch.float32)
            )
            for s in w_quant.scales
        )
        data = self._bias_data(bias)
        divisor = torch.tensor(scales, dtype=torch.float64)
        # torch.round rounds half to even, as quantize_per_tensor does.
        quantized = (
            torch.round(data.double() / divisor).clamp(-(2**31) + 1, 2**31 - 1).to(torch.int32)
        )
        quant = QuantParams(
            scales, (0,) * len(scales), axis=0 if w_quant.axis is not None else None
        )
        return self._add_constant(bias, quantized, quant)

    def _add_outputs(self, node: Node) -> None:
        for value in node.args[0]:
            if not isinstance(value, Node) or value not in self._tensor_ids:
                raise PreprocessError(
                    f"{self._backend}: delegate output {value!r} is not a tensor of the graph"
                )
            wanted = value.meta.get("val")
            if isinstance(wanted, torch.Tensor) and wanted.dtype == torch.float32:
                self.graph.outputs.append(self._float_id(value))
            else:
                self.graph.outputs.append(self._tensor_ids[value])
