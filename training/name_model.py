"""The name reader's network: a small CRNN (convolutions, one bidirectional LSTM, CTC).

The convolutions bring the 24-pixel-high line down to one row and halve its
width, so every 2 pixels of text get an output step: a pair of thin letters
("ll", "il") at the smallest label size still has the 3 steps CTC needs.
"""

from __future__ import annotations

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
