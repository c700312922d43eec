"""{{ cookiecutter.__partitioner_class }}: picks the parts of a model that {{ cookiecutter.__backend_id }} runs.

Every call node that the operator-support table accepts (``op_support.py``)
is a candidate; ``CapabilityBasedPartitioner`` groups connected candidates
into partitions, and each partition becomes one delegate call in the .pte.
A model whose supported ops are separated by unsupported ones therefore
yields several partitions.

Quantized models (PT2E static int8): the table's ``quantize`` and
``dequantize`` entries claim the per-tensor q/dq nodes, and the
dequantize of a constant int8 weight (per tensor or per channel) is claimed
with them, so a ``dequantize -> op -> quantize`` chain becomes one delegate
call with float inputs and outputs, as XNNPACK's partitioner does.
Preprocess folds each group around an integer-capable op
(``OpSupport.int8``) into int8 tensors with quantization parameters; see
the docs' quantization section. Dynamic quantization (``choose_qparams``)
stays on the CPU; its weight dequantize is delegated.

Ops inside control-flow bodies (``torch.cond``, ``while_loop``) are not
visited and stay on the CPU.
"""

from __future__ import annotations

import logging
from typing import (
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import torch
from executorch.exir.backend.compile_spec_schema import CompileSpec
from executorch.exir.backend.partitioner import DelegationSpec, Partitioner, PartitionResult
from executorch.exir.backend.utils import WhyNoPartitionReporter, tag_constant_data
from executorch.exir.dialects._ops import ops as exir_ops
from torch._export.utils import is_buffer, is_lifted_tensor_constant, is_param
from torch.export import ExportedProgram
from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner, Partition
from torch.fx.passes.operator_support import OperatorSupportBase

from ..compile_spec import parse_compile_specs
from ..op_support import (
    OP_SUPPORT,
    OP_SUPPORT_BY_NAME,
    constant_nodes,
    is_size_arithmetic,
    lookup,
    lookup_node,
    size_group,
    why_unsupported,
)
from ..{{ cookiecutter.backend_slug }}_preprocess import {{ cookiecutter.__backend_id }}

logger = logging.getLogger(__name__)

OpName = Union[str, torch._ops.OpOverload]


class TableOperatorSupport(OperatorSupportBase):
    """Accepts the nodes the operator-support table accepts, minus skipped ops.

    ``program`` tells constant data from user inputs: the dequantize of a
    constant int8 weight is accepted (preprocess folds it into the weight), and
    so is a conversion of constant data (preprocess does it ahead of time).
    Each refused call is reported to ``reporter`` with its reason; ``refused``
    holds nodes the partitioner itself leaves out, with the reason.
    """

    def __init__(
        self,
        skipped: FrozenSet[str] = frozenset(),
        reporter: Optional[WhyNoPartitionReporter] = None,
        program: Optional[ExportedProgram] = None,
        refused: Optional[Mapping[torch.fx.Node, str]] = None,
    ) -> None:
        super().__init__()
        self.skipped = skipped
        self.refused = refused or {}
        self.reporter = reporter
        # Needed to tell weights from user inputs (weight dequantize ops).
        self.program = program
        self.constants = constant_nodes(program) if program is not None else frozenset()

    def unsupported_reason(self, node: torch.fx.Node) -> Optional[str]:
        if node in self.refused:
            return self.refused[node]
        if self.program is not None and is_weight_dequantize(node, self.program):
            return None
        reason = why_unsupported(node, self.constants)
        entry = lookup_node(node)
        if reason is None and entry is not None and entry.name in self.skipped:
            return f"{entry.name} is in skip_ops"
        return reason

    def is_node_supported(self, submodules, node: torch.fx.Node) -> bool:
        reason = self.unsupported_reason(node)
        if reason is not None and node.op == "call_function" and self.reporter is not None:
            self.reporter.report_reject(node, reason)
        return reason is None


# Dequantize ops whose input preprocess folds into a quantized constant.
WEIGHT_DEQUANTIZE_OPS = (
    exir_ops.edge.quantized_decomposed.dequantize_per_tensor.default,
    exir_ops.edge.quantized_decomposed.dequantize_per_channel.default,
)


def is_weight_dequantize(node: torch.fx.Node, program: ExportedProgram) -> bool:
    """A dequantize of a constant int8 tensor (a quantized weight or an int32 bias).

    Its input is a placeholder that is not a user input (a frozen parameter
    or lifted constant) and its scales and zero points are constants or
    plain numbers. Preprocess stores the integers with their qparams.
    """
    if node.op != "call_function" or node.target not in WEIGHT_DEQUANTIZE_OPS:
        return False
    data = node.args[0]
    value = data.meta.get("val") if isinstance(data, torch.fx.Node) else None
    if not isinstance(value, torch.Tensor) or value.dtype not in (torch.int8, torch.int32):
        return False
    if data.op != "placeholder" or not (
        is_param(program, data)
        or is_buffer(program, data)
        or is_lifted_tensor_constant(program, data)
    ):
        return False
    if node.target is WEIGHT_DEQUANTIZE_OPS[1] and node.args[3] != 0:
        return False  # per-channel along another axis than 0 (transposed conv)
    return all(
        not isinstance(arg, torch.fx.Node) or arg.op == "placeholder" for arg in node.args[1:3]
    )


def _sizes_split_across(partitions: Sequence[Partition]) -> Dict[torch.fx.Node, str]:
    """The size arithmetic (and the nodes reading it) that ended up in several partitions."""
    owner = {node: partition.id for partition in partitions for node in partition.nodes}
    split: Dict[torch.fx.Node, str] = {}
    for node in owner:
        if not is_size_arithmetic(node) or node in split:
            continue
        sizes, readers = size_group(node)
        group = (*sizes, *readers)
        if len({owner.get(member) for member in group}) > 1:
            reason = (
                f"it computes or reads the dynamic size {node.name}, which nodes in "
                "different partitions read; a delegate cannot pass a size to another"
            )
            split.update((member, reason) for member in group)
    return split


def _resolve_skip_ops(skip_ops: Iterable[OpName]) -> FrozenSet[str]:
    if isinstance(skip_ops, str):
        raise TypeError(f"skip_ops must be a list of operator names, not the string {skip_ops!r}")
    names = set()
    for op in skip_ops:
        entry = OP_SUPPORT_BY_NAME.get(op) if isinstance(op, str) else lookup(op)
        if entry is None:
            known = ", ".join(OP_SUPPORT_BY_NAME)
            raise ValueError(f"skip_ops: {op!r} is not a supported operator; known names: {known}")
        names.add(entry.name)
    return frozenset(names)


def _nodes_calling(
    graph_module: torch.fx.GraphModule, ops: Sequence[object]
) -> List[torch.fx.Node]:
    """The nodes of the graph, and of control-flow bodies inside it, that call one of ``ops``."""
    wanted = set(ops)
    return [
        node
        for module in graph_module.modules()
        if isinstance(getattr(module, "graph", None), torch.fx.Graph)
        for node in module.graph.nodes
        if node.op == "call_function" and node.target in wanted
    ]


def _is_view_op(node: torch.fx.Node) -> bool:
    """An ATen call whose output aliases its input (view, transpose, permute...)."""
    target = node.target
    if node.op != "call_function" or not isinstance(target, torch._ops.OpOverload):
        return False
    returns = target._schema.returns
    return len(returns) == 1 and returns[0].alias_info is not None


class {{ cookiecutter.__partitioner_class }}(Partitioner):
    """Delegates the supported parts of an edge program to {{ cookiecutter.__backend_id }}.

    Args:
        compile_specs: options for preprocess, usually from
            ``generate_compile_specs(...)``; checked here so that a typo fails
            before lowering starts.
        skip_ops: operators to leave on the CPU, as table names ("tanh") or
            operator overloads (``torch.ops.aten.tanh.default`` or the edge
            overload). Useful to bisect a numerical problem.
        allows_single_node_partition: when False, a supported op with no
            supported neighbour stays on the CPU instead of becoming a
            delegate call of its own (each call has a fixed cost).
    """

    def __init__(
        self,
        compile_specs: Optional[Sequence[CompileSpec]] = None,
        skip_ops: Iterable[OpName] = (),
        allows_single_node_partition: bool = True,
    ) -> None:
        super().__init__()
        compile_specs = list(compile_specs or [])
        parse_compile_specs(compile_specs)
        if not isinstance(allows_single_node_partition, bool):
            raise TypeError("allows_single_node_partition must be a bool")
        self.skip_ops = _resolve_skip_ops(skip_ops)
        self.allows_single_node_partition = allows_single_node_partition
        self.delegation_spec = DelegationSpec({{ cookiecutter.__backend_id }}.__name__, compile_specs)
        self.operator_support = TableOperatorSupport(self.skip_ops)

    def partition(self, exported_program: ExportedProgram) -> PartitionResult:
        # A dynamic size read in two partitions would have to pass from one
        # delegate to the other as a number: it stays on the CPU with every node
        # reading it, and the partitions are proposed again.
        refused: Dict[torch.fx.Node, str] = {}
        while True:
            # ExecuTorch's WhyNoPartitionReporter collects why each node stays on
            # the CPU; the table is logged once per lowering, at DEBUG level.
            reporter = WhyNoPartitionReporter()
            partitions = CapabilityBasedPartitioner(
                exported_program.graph_module,
                TableOperatorSupport(self.skip_ops, reporter, exported_program, refused),
                allows_single_node_partition=self.allows_single_node_partition,
            ).propose_partitions()
            split = _sizes_split_across(partitions)
            if not split:
                break
            refused.update(split)
        partition_tags: Dict[str, DelegationSpec] = {}
        for partition in partitions:
            tag = f"tag{partition.id}"
            for node in partition.nodes:
                node.meta["delegation_tag"] = tag
            partition_tags[tag] = self.delegation_spec
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("nodes left on the CPU:\n%s", reporter.get_table_report())
        # Parameters, buffers and constants follow the partition that uses them.
        tag_constant_data(exported_program)
        logger.info("%d partition(s) for %s", len(partition_tags), self.delegation_spec.backend_id)
        return PartitionResult(
            tagged_exported_program=exported_program, partition_tags=partition_tags
        )

    def transform_for_pre_decomposition(self, exported_program: ExportedProgram) -> ExportedProgram:
        """Let the ATen ops kept whole (``keep_undecomposed``) change their output's strides.

        Export traces ``.contiguous()`` and ``reshape`` of a tensor that is
        already contiguous as nothing and ``view``: the output of
        scaled_dot_product_attention is not contiguous on the CPU, but
        transposed back it is. Kept whole, the op gets other (contiguous)
        output strides, and such a view fails during decomposition. For a
        kept op whose traced output is not contiguous, a contiguous clone goes
        in front of every ``view`` and ``reshape`` reached from it through view
        ops: the same values, valid for any strides.
        """
        kept = {
            entry.aten_op
            for entry in OP_SUPPORT
            if entry.keep_undecomposed and entry.name not in self.skip_ops
        }
        reshapes = (torch.ops.aten.view.default, torch.ops.aten.reshape.default)
        graph = exported_program.graph_module.graph
        changed = False
        for node in list(graph.nodes):
            if node.op != "call_function" or node.target not in kept:
                continue
            value = node.meta.get("val")
            if not isinstance(value, torch.Tensor) or value.is_contiguous():
                continue
            if self.operator_support.unsupported_reason(node) is not None:
                continue
            pending = list(node.users)
            while pending:
                user = pending.pop()
                if not _is_view_op(user) and user.target not in reshapes:
                    continue
                if user.target in reshapes:
                    source = user.args[0]
                    with graph.inserting_before(user):
                        clone = graph.call_function(
                            torch.ops.aten.clone.default,
                            (source,),
                            {"memory_format": torch.contiguous_format},
                        )
                    clone.meta = dict(source.meta)
                    clone.meta["val"] = source.meta["val"].clone(
                        memory_format=torch.contiguous_format
                    )
                    user.replace_input_with(source, clone)
                    changed = True
                    continue
                pending += list(user.users)
        if changed:
            exported_program.graph_module.recompile()
        return exported_program

    def ops_to_not_decompose(
        self, ep: ExportedProgram
    ) -> Tuple[List[torch._ops.OpOverload], Optional[Callable[[torch.fx.Node], bool]]]:
        """Keep table ops that are outside core ATen (linear) whole, where supported.

        The filter runs on ATen nodes before decomposition: a node that the
        backend would refuse (wrong dtype, skipped...) is decomposed as usual
        so that the CPU can run it.

        A filter costs ``to_edge_transform_and_lower`` two decomposition passes
        over the whole graph instead of one, so it is asked for only when it
        would refuse something:

        - ``ep`` holds none of these ops: nothing is requested;
        - every node of these ops in ``ep`` is one the backend takes: the ops
          present are requested with no filter (ExecuTorch's one-pass path).
          A further node of such an op that another op's decomposition
          creates is kept whole unchecked; if the partitioner then refuses
          it, the CPU runs the ATen op (the portable kernels have ``linear``);
        - otherwise: all of them, with the filter.
        """
        keep = [
            entry.aten_op
            for entry in OP_SUPPORT
            if entry.keep_undecomposed and entry.name not in self.skip_ops
        ]
        if not keep:
            return [], None

        def is_supported(node: torch.fx.Node) -> bool:
            return self.operator_support.unsupported_reason(node) is None

        if ep is None:
            return keep, is_supported
        kept_nodes = _nodes_calling(ep.graph_module, keep)
        if not kept_nodes:
            return [], None
        if all(is_supported(node) for node in kept_nodes):
            present = {node.target for node in kept_nodes}
            return [op for op in keep if op in present], None
        return keep, is_supported
