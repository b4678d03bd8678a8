"""`rlvr eval --backend vllm`: one clear line where vLLM or a GPU is missing; on a GPU with vLLM, the real engine."""

from __future__ import annotations

import json

import pytest

from evaluation.generate import vllm_available
from rlvr.cli import main

needs_vllm = pytest.mark.skipif(not vllm_available(), reason="needs the vllm package and a CUDA GPU")


@pytest.mark.skipif(vllm_available(), reason="vLLM and a GPU are here")
def test_asking_for_vllm_without_it_fails_before_loading(tmp_path, capsys):
    assert main(["eval", "tiny", "--task", "synthetic", "--backend", "vllm", "-o", str(tmp_path / "out")]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "--backend vllm needs the vllm package and a CUDA GPU" in stderr
    assert not (tmp_path / "out").exists()


@needs_vllm
def test_vllm_generates_for_every_task_with_one_engine(tmp_path, capsys):
    from trainers.models import offline_policy

    folder = tmp_path / "tiny"
    model, tokenizer = offline_policy("tiny")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    data = tmp_path / "physics.jsonl"
    assert main(["data", "synth", "--families", "free_fall,braking", "--n", "5", "--output", str(data)]) == 0
    out = tmp_path / "run"
    argv = ["eval", str(folder), "--task", f"synthetic,physics={data}", "--limit", "5", "--n", "2",
            "--max-new-tokens", "8", "--backend", "vllm", "-o", str(out)]
    assert main(argv) == 0  # two tasks: a second engine would not fit beside the first
    report = json.loads((out / "eval.json").read_text())
    assert report["backend"] == "vllm"
    assert {task: row["samples"] for task, row in report["tasks"].items()} == {"synthetic": 10, "physics": 10}
    assert 0 < report["efficiency"]["tokens_per_answer"] <= 8
    capsys.readouterr()
