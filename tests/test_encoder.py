"""The text encoder loads from the installed wheel with the network unreachable."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from followthrough.language import encoder


def test_encoder_loads_offline_and_ranks_by_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    encoder._model.cache_clear()
    sims = encoder.similarity(
        ["recruitment and retention of social workers"],
        ["a strategy to recruit and keep children's social workers", "the capital budget for roads"],
    )
    assert sims.shape == (1, 2)
    assert sims[0, 0] > sims[0, 1] + 0.2


def test_embed_rows_are_normalised() -> None:
    vectors = encoder.embed(["caseloads are too high", "the audit committee agreed the plan"])
    assert vectors.shape == (2, encoder.DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.embed([]).shape == (0, encoder.DIM)
