"""timm backbones for expression recognition (torch; used by training and export only).

The bot never imports this module: it runs the exported ONNX files (:mod:`model.classifier`).
"""

from __future__ import annotations

from typing import Any


def create_backbone(arch: str, num_classes: int, pretrained: bool = False, drop_rate: float = 0.0) -> Any:
    """A timm model taking (N, 1, S, S) grayscale faces and giving class logits.

    ``pretrained=True`` loads timm's ImageNet weights from the model hub (needs
    internet); timm folds the RGB stem into one input channel.
    """
    import timm

    return timm.create_model(arch, pretrained=pretrained, in_chans=1, num_classes=num_classes, drop_rate=drop_rate)
