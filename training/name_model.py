"""The name reader's network: a small CRNN (convolutions, one bidirectional LSTM, CTC).

The convolutions bring the 24-pixel-high line down to one row and halve its
width, so every 2 pixels of text get an output step: a pair of thin letters
("ll", "il") at the smallest label size still has the 3 steps CTC needs.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def _conv(cin: int, cout: int, kernel: tuple[int, int] = (3, 3), padding: tuple[int, int] = (1, 1)) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True))


class NameCRNN(nn.Module):
    def __init__(
        self, num_classes: int, height: int = 24, hidden: int = 96, width: tuple[int, ...] = (16, 32, 64, 128)
    ) -> None:
        super().__init__()
        assert height == 24, "the pooling below is laid out for 24-pixel lines"
        self.features = nn.Sequential(
            _conv(1, width[0]),
            nn.MaxPool2d((2, 2)),  # 12 x W/2
            _conv(width[0], width[1]),
            nn.MaxPool2d((2, 1)),  # 6
            _conv(width[1], width[2]),
            nn.MaxPool2d((2, 1)),  # 3
            _conv(width[2], width[3], kernel=(3, 3), padding=(0, 1)),  # 1
            nn.Dropout(0.1),
        )
        self.sequence = nn.LSTM(width[3], hidden, batch_first=True, bidirectional=True)
        self.classifier = nn.Linear(2 * hidden, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """N x 1 x 24 x W images (normalized to -1..1) -> N x ceil(W/2) x classes log-probabilities."""
        features = self.features(images).squeeze(2).transpose(1, 2)  # N x T x C
        sequence, _ = self.sequence(features)
        return self.classifier(sequence).log_softmax(-1)


def from_onnx(path: Path | str, calibration: torch.Tensor) -> NameCRNN:
    """The network of an exported name reader (e.g. the shipped ``names.onnx``), ready to train further.

    The export folded each batch norm into its convolution; it is unfolded so
    that the network computes the same function both in evaluation (exactly)
    and in training mode (where batch norm uses the batch's statistics): each
    norm gets the mean and variance of its convolution's output on
    ``calibration`` (N x 1 x 24 x W training lines) as running statistics, and
    the scale and shift that undo them.
    """
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    convs = [node for node in graph.node if node.op_type == "Conv"]
    (lstm,) = [node for node in graph.node if node.op_type == "LSTM"]
    (matmul,) = [node for node in graph.node if node.op_type == "MatMul"]
    (add,) = [node for node in graph.node if node.op_type == "Add"]
    classes = weights[matmul.input[1]].shape[1]
    model = NameCRNN(classes, hidden=weights[lstm.input[2]].shape[2])
    conv_layers = [m for m in model.features if isinstance(m, nn.Sequential)]
    assert len(conv_layers) == len(convs), "not a NameCRNN export"
    folded_bias = []
    with torch.no_grad():
        for (conv, norm, _relu), node in zip(conv_layers, convs, strict=True):
            conv.weight.copy_(weights[node.input[1]])
            folded_bias.append(weights[node.input[2]])
            norm.reset_parameters()  # identity but for eps, fixed below
            norm.running_var.fill_(1.0 - norm.eps)
            norm.bias.copy_(folded_bias[-1])
        # ONNX orders an LSTM's gates input, output, forget, cell; torch input, forget, cell, output
        order = lambda w: torch.cat([w.chunk(4)[i] for i in (0, 2, 3, 1)])  # noqa: E731
        w, r, b = (weights[name] for name in lstm.input[1:4])
        for direction, suffix in enumerate(("", "_reverse")):
            getattr(model.sequence, f"weight_ih_l0{suffix}").copy_(order(w[direction]))
            getattr(model.sequence, f"weight_hh_l0{suffix}").copy_(order(r[direction]))
            bias_ih, bias_hh = b[direction].chunk(2)
            getattr(model.sequence, f"bias_ih_l0{suffix}").copy_(order(bias_ih))
            getattr(model.sequence, f"bias_hh_l0{suffix}").copy_(order(bias_hh))
        model.classifier.weight.copy_(weights[matmul.input[1]].T)
        bias_name = next(name for name in add.input if name in weights)
        model.classifier.bias.copy_(weights[bias_name])

        # statistics of each convolution's output (before its bias) on the calibration lines
        outputs: list[torch.Tensor] = []
        hooks = [conv.register_forward_hook(lambda _m, _i, out: outputs.append(out)) for conv, *_ in conv_layers]
        model.eval()
        model(calibration)
        for hook in hooks:
            hook.remove()
        for (_conv, norm, _relu), out, bias in zip(conv_layers, outputs, folded_bias, strict=True):
            mean = out.mean(dim=(0, 2, 3))
            var = out.var(dim=(0, 2, 3), unbiased=False)
            norm.running_mean.copy_(mean)
            norm.running_var.copy_(var)
            norm.weight.copy_(torch.sqrt(var + norm.eps))
            norm.bias.copy_(mean + bias)
    return model
