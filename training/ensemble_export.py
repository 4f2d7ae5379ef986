"""Several trained networks averaged in one ONNX graph per label set, weights stored as fp16.

    python -m training.ensemble_export --label-set fer2013 --out runs/fer2013-ensemble.onnx \
        --member runs/th-regnetx/best.pt --member training/checkpoints/fer2013.pt

A member is a two-head checkpoint (:mod:`training.train_two_head`; the head of
the requested label set is used) or a single-head checkpoint / shipped ``.pt``
of that label set. The graph outputs the mean of the members' softmax
probabilities (with ``--flip``, each member also reads the mirrored faces).

Two regnetx_004 in fp32 weigh 41 MB, over the 25 MB a shipped file may take,
so every float weight is stored as fp16 and cast back to fp32 when the
session loads (onnxruntime folds the casts: the compute stays fp32, the speed
unchanged). The torch reference used for the parity check has the same
fp16-rounded weights, so ONNX and torch agree to float rounding (< 1e-4).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import torch

from model.labels import LABEL_SETS
from model.preprocess import MEAN, STD
from training.architectures import create_backbone
from training.export import check_parity, write_metadata
from training.two_head import TwoHeadNet, two_head_from_checkpoint

log = logging.getLogger(__name__)


class HeadOf(torch.nn.Module):
    """One head of a two-head network, as a plain logits model."""

    def __init__(self, net: TwoHeadNet, label_set: str) -> None:
        super().__init__()
        self.net = net
        self.index = 0 if label_set == "fer2013" else 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[self.index]


class Ensemble(torch.nn.Module):
    """Mean softmax of the members (and of their readings of the mirrored faces when ``flip``)."""

    def __init__(self, members: list[torch.nn.Module], flip: bool) -> None:
        super().__init__()
        self.members = torch.nn.ModuleList(members)
        self.flip = flip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = None
        for member in self.members:
            p = member(x).softmax(dim=1)
            if self.flip:
                p = (p + member(x.flip(3)).softmax(dim=1)) / 2
            total = p if total is None else total + p
        return total / len(self.members)


def load_member(path: str | Path, label_set: str) -> tuple[torch.nn.Module, dict]:
    """A checkpoint as a logits model over ``LABEL_SETS[label_set]`` (eval mode) and its config."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    config = checkpoint["config"]
    if "dataset" not in config:  # a two-head run
        return HeadOf(two_head_from_checkpoint(checkpoint), label_set).eval(), config
    if tuple(checkpoint["classes"]) != LABEL_SETS[label_set]:
        raise ValueError(f"{path}: classes {checkpoint['classes']} are not the {label_set} label set")
    model = create_backbone(config["arch"], len(checkpoint["classes"]))
    model.load_state_dict(checkpoint["model"])
    return model.eval(), config


def fold_batchnorm(module: torch.nn.Module) -> torch.nn.Module:
    """Fold each conv-then-BatchNorm pair (timm's ``ConvNormAct``: ``.conv``, ``.bn``) into the conv, in place.

    The BatchNorm is left as an exact identity (mean 0, variance 1, scale sqrt(1 + eps), shift 0) so its
    activation still runs. The ONNX exporter folds BatchNorm into the conv too; folding first means the
    fp16 rounding applies to the same weights in torch and in the ONNX file.
    """
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    with torch.no_grad():
        for parent in module.modules():
            conv, bn = getattr(parent, "conv", None), getattr(parent, "bn", None)
            if isinstance(conv, torch.nn.Conv2d) and isinstance(bn, torch.nn.BatchNorm2d) and not bn.training:
                parent.conv = fuse_conv_bn_eval(conv, bn)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0)
                bn.weight.fill_(float(torch.tensor(1.0 + bn.eps).sqrt()))
                bn.bias.zero_()
    return module


def round_to_fp16(module: torch.nn.Module) -> torch.nn.Module:
    """Fold BatchNorm (:func:`fold_batchnorm`), then round every float weight to fp16 precision (kept fp32)."""
    fold_batchnorm(module)
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            if tensor.dtype == torch.float32:
                tensor.copy_(tensor.half().float())
    return module


def store_weights_fp16(onnx_path: str | Path, min_elements: int = 16) -> None:
    """Rewrite an ONNX file's float initializers as fp16, each followed by a Cast back to float."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    proto = onnx.load(str(onnx_path))
    graph = proto.graph
    casts, kept = [], []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        if init.data_type != TensorProto.FLOAT or array.size < min_elements:
            kept.append(init)
            continue
        half = numpy_helper.from_array(array.astype(np.float16), name=init.name + "__fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(onnx_path))


def export_ensemble(members: list[str], label_set: str, onnx_path: str | Path, flip: bool = False) -> float:
    """Write the ensemble's ONNX file (fp16-stored weights, metadata for the bot); returns the parity gap."""
    modules, configs = zip(*(load_member(m, label_set) for m in members), strict=True)
    sizes = {int(c["image_size"]) for c in configs}
    if len(sizes) != 1:
        raise ValueError(f"members take different input sizes {sorted(sizes)}")
    size = sizes.pop()
    ensemble = Ensemble([round_to_fp16(m) for m in modules], flip).eval()
    onnx_path = Path(onnx_path)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        ensemble,
        (torch.zeros(2, 1, size, size),),
        str(onnx_path),
        input_names=["faces"],
        output_names=["probabilities"],
        dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1, max=4096)}},
        external_data=False,
    )
    store_weights_fp16(onnx_path)
    arch = " + ".join(c["arch"] for c in configs)
    write_metadata(
        onnx_path,
        {
            "classes": json.dumps(list(LABEL_SETS[label_set])),
            "image_size": str(size),
            "arch": f"ensemble: {arch}",
            "normalization": json.dumps({"mean": MEAN, "std": STD, "gray": True}),
            "members": json.dumps([str(m) for m in members]),
            "training_config": json.dumps(list(configs)),
            "flip_tta": json.dumps(flip),
            "weights_dtype": "float16",
        },
    )
    gap = check_parity(ensemble, onnx_path, size)
    log.info("exported %s (%s, flip %s): torch vs onnxruntime max |dp| = %.2e", onnx_path, arch, flip, gap)
    return gap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.ensemble_export", description=__doc__)
    parser.add_argument("--label-set", choices=sorted(LABEL_SETS), required=True)
    parser.add_argument("--member", action="append", required=True, help="a checkpoint (repeat for each member)")
    parser.add_argument("--out", required=True, help="the .onnx file to write")
    parser.add_argument("--flip", action="store_true", help="also average each member's reading of the mirror")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    export_ensemble(args.member, args.label_set, args.out, args.flip)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
