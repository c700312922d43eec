"""{{ cookiecutter.__backend_id }}: the ahead-of-time half of the backend.

``preprocess`` receives one delegated subgraph (an edge-dialect
ExportedProgram that the partitioner carved out) and returns the blob the C++
runtime executes, laid out as ``serialization/FORMAT.md`` describes:

* user-input placeholders become the delegate inputs, in order;
* parameters, buffers and lifted constants become constant tensors whose data
  goes to the program's named data (one entry per distinct content, under
  ``{{ cookiecutter.__backend_id }}_<sha256 hex>``) rather than into the blob; a conversion
  of constant data to float32 (the int64 scalar of ``x + 1``) is done here and
  its result stored the same way (``op_support.folds_to_constant``);
* each call becomes an op record, in graph (topological) order, with the
  operands and attributes its table entry (``op_support.py``) declares;
* the output node lists the delegate outputs.

The class name is the backend id written into the .pte: ExecuTorch finds
this class by name at lowering time, and the C++ runtime registers itself
under the same string, so renaming one means renaming the other.
"""

from __future__ import annotations

import hashlib
import operator
from typing import Dict, List, Optional, Tuple, final

import torch
from executorch.exir._serialize._named_data_store import NamedDataStore
from executorch.exir.backend.backend_details import BackendDetails, PreprocessResult
from executorch.exir.backend.compile_spec_schema import CompileSpec
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
from .op_support import SUPPORTED_DTYPES, constant_nodes, folds_to_constant, lookup, why_unsupported
from .serialization.blob_format import (
    MAX_RANK,
    SCALAR_TYPE_FLOAT32,
    Constant,
    DelegateGraph,
    Op,
    TensorInfo,
    serialize,
)

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
        self._tensor_ids: Dict[Node, int] = {}
        # Multi-output nodes: the tensor of each output (None: not computed).
        self._output_ids: Dict[Node, Tuple[Optional[int], ...]] = {}
        self._constants = constant_nodes(program)

    def build(self) -> None:
        for node in self.program.graph.nodes:
            if node.op == "placeholder":
                self._add_placeholder(node)
            elif node.op == "call_function":
                self._add_op(node)
            elif node.op == "output":
                self._add_outputs(node)
            else:
                raise PreprocessError(
                    f"{self._backend} cannot serialize {node.op} node {node.name!r}"
                )

    @property
    def _backend(self) -> str:
        return {{ cookiecutter.__backend_id }}.__name__

    def _new_tensor(self, node: Node, value: object) -> int:
        if not isinstance(value, torch.Tensor):
            raise PreprocessError(
                f"{self._backend}: {node.name!r} is {type(value).__name__}, not a tensor"
            )
        if value.dtype not in SUPPORTED_DTYPES:
            raise PreprocessError(
                f"{self._backend}: {node.name!r} has dtype {value.dtype}; blobs hold only float32"
            )
        if value.dim() > MAX_RANK or not all(isinstance(s, int) for s in value.shape):
            raise PreprocessError(
                f"{self._backend}: {node.name!r} has shape {list(value.shape)}; blobs hold "
                f"static shapes of rank at most {MAX_RANK}"
            )
        tensor_id = len(self.graph.tensors)
        self.graph.tensors.append(TensorInfo(tuple(value.shape), SCALAR_TYPE_FLOAT32))
        return tensor_id

    def _constant_data(self, node: Node) -> Optional[torch.Tensor]:
        """The data of a parameter, buffer or lifted constant; None for a user input."""
        program = self.program
        if is_param(program, node):
            return get_param(program, node)
        if is_buffer(program, node):
            return get_buffer(program, node)
        if is_lifted_tensor_constant(program, node):
            return get_lifted_tensor_constant(program, node)
        return None

    def _add_placeholder(self, node: Node) -> None:
        data = self._constant_data(node)
        if data is None:
            tensor_id = self._new_tensor(node, node.meta.get("val"))
            self._tensor_ids[node] = tensor_id
            self.graph.inputs.append(tensor_id)
        elif data.dtype in SUPPORTED_DTYPES:
            self._add_constant(node, data)
        # Other constant data is only read by conversions, which _add_op folds.

    def _add_constant(self, node: Node, data: torch.Tensor) -> None:
        tensor_id = self._new_tensor(node, data)
        self._tensor_ids[node] = tensor_id
        raw = data.detach().contiguous().cpu().numpy().tobytes()
        key = named_data_key(raw)
        # Equal data gets the same key, so the store keeps a single copy.
        self.named_data.add_named_data(key, raw, alignment=CONSTANT_ALIGNMENT)
        self.graph.constants.append(Constant(tensor_id, key, len(raw)))

    def _add_op(self, node: Node) -> None:
        if node.target is operator.getitem:
            # One output of a multi-output op: the tensor the op record wrote.
            self._check_getitem(node)
            self._tensor_ids[node] = self._output_ids[node.args[0]][node.args[1]]
            return
        if folds_to_constant(node, self._constants):
            self._add_constant(node, self._constant_data(node.args[0]).to(torch.float32))
            return
        entry = lookup(node.target)
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
        # An absent optional operand (linear without bias) is written as None.
        inputs = tuple(
            None if operand is None else self._tensor_id(operand)
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
        name = node.name if self.options.debug_names else ""
        op_index = len(self.graph.ops)
        self.graph.ops.append(
            Op(entry.opcode, inputs, outputs, attrs=entry.attr_values(node), name=name)
        )
        debug_handle = node.meta.get("debug_handle")
        if isinstance(debug_handle, int) and debug_handle > 0:
            self.debug_handle_map[op_index] = (debug_handle,)

    def _tensor_id(self, node: Node) -> int:
        if node not in self._tensor_ids:
            raise PreprocessError(
                f"{self._backend}: {node.name!r} is not a float32 tensor of the delegate"
            )
        return self._tensor_ids[node]

    def _check_getitem(self, node: Node) -> None:
        reason = why_unsupported(node)
        if reason is not None or node.args[0] not in self._output_ids:
            raise PreprocessError(
                f"{self._backend} cannot run node {node.name!r} (getitem): "
                f"{reason or 'its source is not in the delegate'}"
            )

    def _add_outputs(self, node: Node) -> None:
        for value in node.args[0]:
            if not isinstance(value, Node) or value not in self._tensor_ids:
                raise PreprocessError(
                    f"{self._backend}: delegate output {value!r} is not a tensor of the graph"
                )
            self.graph.outputs.append(self._tensor_ids[value])
