"""The rlvr task pack run by the real lm-evaluation-harness on the tiny model, and its samples rescored by rlvr."""

from __future__ import annotations

import json

import pytest

from rlvr.cli import main

pytest.importorskip("lm_eval")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    from trainers.models import offline_policy

    folder = tmp_path_factory.mktemp("tiny")
    model, tokenizer = offline_policy("tiny")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_task_pack_end_to_end_matches_rlvr_eval(tiny_folder, tmp_path, capsys):
    import lm_eval
    from lm_eval.tasks import TaskManager

    from evaluation.lm_eval_tasks import PACK_DIR

    results = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={tiny_folder},dtype=float32", device="cpu", tasks=["rlvr_synthetic"],
        limit=4, log_samples=True, gen_kwargs="max_gen_toks=6", task_manager=TaskManager(include_path=str(PACK_DIR)),
    )
    samples = results["samples"]["rlvr_synthetic"]
    assert len(samples) == 4 and "acc" in samples[0]
    lm_acc = results["results"]["rlvr_synthetic"]["acc,none"]
    path = tmp_path / "samples_rlvr_synthetic.jsonl"
    path.write_text("".join(json.dumps(s, default=str) + "\n" for s in samples), encoding="utf-8")

    # the same generations, scored by rlvr eval --predictions: the same accuracy, row by row
    assert main(["eval", "--predictions", str(path), "--task", "synthetic", "-o", str(tmp_path / "p")]) == 0
    rescored = [json.loads(line) for line in (tmp_path / "p" / "samples.jsonl").read_text().splitlines()]
    assert [float(r["passed"]) for r in rescored] == [s["acc"] for s in samples]
    assert json.loads((tmp_path / "p" / "eval.json").read_text())["tasks"]["synthetic"]["pass@1"] == lm_acc

    # rlvr eval generating from the same folder: the same prompts, hence the same greedy completions
    argv = ["eval", str(tiny_folder), "--task", "synthetic", "--limit", "4", "--max-new-tokens", "6", "-o",
            str(tmp_path / "g")]
    assert main(argv) == 0
    generated = [json.loads(line) for line in (tmp_path / "g" / "samples.jsonl").read_text().splitlines()]
    assert [r["completion"] for r in generated] == [s["resps"][0][0] for s in samples]
    capsys.readouterr()


def test_physics_task_loads_in_lm_eval_and_grades_with_rlvr():
    from lm_eval.tasks import TaskManager

    from evaluation.lm_eval_tasks import PACK_DIR

    task = TaskManager(include_path=str(PACK_DIR)).load(["rlvr_physics"])["tasks"]["rlvr_physics"]
    docs = list(task.test_docs())
    assert len(docs) == 500  # the task's packaged problems, generated offline
    doc = docs[0]
    assert doc["question"] in task.doc_to_text(doc)
    assert task.process_results(doc, [f"\\boxed{{{doc['answer']}\\,\\mathrm{{m}}}}"]) == {"acc": 1.0}
    assert task.process_results(doc, ["\\boxed{-1}"]) == {"acc": 0.0}
