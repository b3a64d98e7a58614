"""slovnet's CNN encoder, computed channels-last.

natasha's NER, morphology and syntax models share one architecture: word and
shape embeddings, three Conv1d -> ReLU -> BatchNorm layers, a head. slovnet
runs the encoder in PyTorch's (batch, channels, sequence) layout: every layer
copies its input into an im2col matrix (kernel x channels wide), and swaps
axes twice. That copying is about a third of the time of each model.

Here the same layers run in (batch, sequence, channels) layout: one matrix
product of the padded input with the kernel taps side by side, then the taps
added at their shifts. The weights are slovnet's own, read from the loaded
model; only the order of the additions differs, so scores differ in the last
float32 bits and tags and heads come out the same (checked record for record
over the samples and the NEREL dev texts, see the commit history).
"""
from __future__ import annotations

import numpy as np


class _Layer:
    __slots__ = ("taps", "filters", "kernel", "padding", "bias", "mean", "std", "weight", "shift")

    def __init__(self, layer):
        conv, norm = layer.conv, layer.norm
        filters, channels, kernel = conv.weight.shape
        # (channels, kernel x filters): block k holds the kernel's k-th tap
        self.taps = np.ascontiguousarray(
            conv.weight.array.transpose(1, 2, 0).reshape(channels, kernel * filters))
        self.filters, self.kernel, self.padding = filters, kernel, conv.padding
        self.bias = conv.bias.array
        self.mean, self.std = norm.mean.array, norm.std.array
        self.weight, self.shift = norm.weight.array, norm.bias.array

    def __call__(self, x: np.ndarray, pad: np.ndarray) -> np.ndarray:
        batch, length, channels = x.shape
        p = self.padding
        padded = np.zeros((batch, length + 2 * p, channels), dtype=x.dtype)
        padded[:, p:p + length] = x
        products = (padded.reshape(-1, channels) @ self.taps).reshape(
            batch, length + 2 * p, self.kernel, self.filters)
        windows = length + 2 * p - self.kernel + 1
        out = products[:, 0:windows, 0]
        for k in range(1, self.kernel):
            out = out + products[:, k:k + windows, k]
        out += self.bias
        np.maximum(out, 0, out=out)                       # ReLU
        out = (out - self.mean) / self.std * self.weight + self.shift   # BatchNorm
        out[pad] = 0                                      # padding stays silent
        return out


class ChannelsLastEncoder:
    """Drop-in for ``slovnet.exec.model.CNNEncoder``: same call, same result."""

    def __init__(self, encoder):
        self.layers = [_Layer(layer) for layer in encoder.layers]

    def __call__(self, input: np.ndarray, mask: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(input, dtype=np.float32)
        for layer in self.layers:
            x = layer(x, mask)
        return x


def use_channels_last(*taggers) -> None:
    """Swap the CNN encoder of natasha taggers (NER, morphology, syntax)."""
    for tagger in taggers:
        model = tagger.infer.model
        if not isinstance(model.encoder, ChannelsLastEncoder):
            model.encoder = ChannelsLastEncoder(model.encoder)
