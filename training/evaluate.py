"""Model outputs on a set of faces (torch), with optional flip test-time augmentation."""

from __future__ import annotations

import numpy as np
import torch

from training.augment import to_model_input


@torch.no_grad()
def predict_probabilities(
    model: torch.nn.Module, pixels: np.ndarray, batch_size: int = 256, tta: bool = False
) -> np.ndarray:
    """Softmax probabilities for (N, S, S) uint8 faces; ``tta`` averages with the mirrored face."""
    was_training = model.training
    model.eval()
    outputs = []
    for start in range(0, len(pixels), batch_size):
        inputs = to_model_input(torch.from_numpy(pixels[start : start + batch_size]))
        probabilities = model(inputs).softmax(dim=1)
        if tta:
            probabilities = (probabilities + model(inputs.flip(dims=[3])).softmax(dim=1)) / 2
        outputs.append(probabilities.numpy())
    model.train(was_training)
    return np.concatenate(outputs) if outputs else np.zeros((0, 0), dtype=np.float32)
