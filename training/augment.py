"""Batched face augmentation in torch, on the whole batch at once.

On a two-core machine per-image PIL transforms in data-loader workers would
take the cores the network needs; one affine warp for the batch (random
resized crop, rotation, horizontal flip and shift in a single
``grid_sample``), a brightness/contrast jitter and random erasing cost a few
milliseconds per batch of 128.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from model.preprocess import MEAN, STD


@dataclass(frozen=True)
class AugmentConfig:
    scale: tuple[float, float] = (0.8, 1.05)  # zoom: <1 crops in, >1 shows more border
    max_rotation_deg: float = 12.0
    max_shift: float = 0.08  # fraction of the image side
    flip: bool = True
    brightness: float = 0.25
    contrast: float = 0.3
    erase_prob: float = 0.4
    erase_area: tuple[float, float] = (0.02, 0.15)


def to_model_input(pixels: torch.Tensor) -> torch.Tensor:
    """(N, S, S) uint8 -> (N, 1, S, S) float32 with the shared normalization."""
    return ((pixels.float() / 255.0 - MEAN) / STD).unsqueeze(1)


def augment_batch(pixels: torch.Tensor, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """Random augmentation of (N, S, S) uint8 faces -> normalized (N, 1, S, S) float32.

    The random draws come from ``generator`` on the CPU whatever the faces' device, so a run on a GPU
    takes the same warps as one on the CPU; only the erasing noise is drawn on the faces' device.
    """
    n, device = pixels.shape[0], pixels.device
    x = pixels.float().unsqueeze(1) / 255.0

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(n, generator=generator) * (high - low) + low

    scale = uniform(*config.scale)
    angle = uniform(-config.max_rotation_deg, config.max_rotation_deg) * (math.pi / 180.0)
    flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0) if config.flip else torch.ones(n)
    shift = (
        torch.stack([uniform(-config.max_shift, config.max_shift), uniform(-config.max_shift, config.max_shift)], dim=1)
        * 2.0
    )
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos * flip
    theta[:, 0, 1] = -sin
    theta[:, 1, 0] = sin * flip
    theta[:, 1, 1] = cos
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta.to(device), list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    contrast = uniform(1 - config.contrast, 1 + config.contrast).view(n, 1, 1, 1).to(device)
    brightness = uniform(-config.brightness, config.brightness).view(n, 1, 1, 1).to(device)
    x = ((x - mean) * contrast + mean + brightness).clamp(0.0, 1.0)

    if config.erase_prob > 0:
        x = _random_erase(x, config, generator)
    return (x - MEAN) / STD


def _random_erase(x: torch.Tensor, config: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """Blank one random rectangle (noise fill) in a share of the images."""
    n, _, height, width = x.shape
    chosen = torch.rand(n, generator=generator) < config.erase_prob
    area = torch.rand(n, generator=generator) * (config.erase_area[1] - config.erase_area[0]) + config.erase_area[0]
    aspect = torch.exp(torch.rand(n, generator=generator) * (math.log(3.0) - math.log(1 / 3.0)) + math.log(1 / 3.0))
    h = (torch.sqrt(area * aspect) * height).clamp(1, height).long()
    w = (torch.sqrt(area / aspect) * width).clamp(1, width).long()
    top = (torch.rand(n, generator=generator) * (height - h + 1).float()).long()
    left = (torch.rand(n, generator=generator) * (width - w + 1).float()).long()
    rows = torch.arange(height).view(1, height, 1)
    cols = torch.arange(width).view(1, 1, width)
    mask = (
        (rows >= top.view(n, 1, 1))
        & (rows < (top + h).view(n, 1, 1))
        & (cols >= left.view(n, 1, 1))
        & (cols < (left + w).view(n, 1, 1))
        & chosen.view(n, 1, 1)
    ).unsqueeze(1)
    on_cpu = x.device.type == "cpu"
    noise = torch.rand(x.shape, generator=generator) if on_cpu else torch.rand(x.shape, device=x.device)
    return torch.where(mask.to(x.device), noise, x)


def mixup_cutmix(
    inputs: torch.Tensor, targets: torch.Tensor, alpha: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup (or, half the time, CutMix) of a batch with a shuffled copy of itself."""
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    order = torch.randperm(inputs.shape[0], generator=generator)
    if torch.rand(1, generator=generator).item() < 0.5:
        mixed = lam * inputs + (1 - lam) * inputs[order]
    else:
        _, _, height, width = inputs.shape
        cut_h, cut_w = int(height * math.sqrt(1 - lam)), int(width * math.sqrt(1 - lam))
        cy = int(torch.randint(height, (1,), generator=generator))
        cx = int(torch.randint(width, (1,), generator=generator))
        y0, y1 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, height)
        x0, x1 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, width)
        mixed = inputs.clone()
        mixed[:, :, y0:y1, x0:x1] = inputs[order][:, :, y0:y1, x0:x1]
        lam = 1 - (y1 - y0) * (x1 - x0) / float(height * width)
    return mixed, lam * targets + (1 - lam) * targets[order]
