"""TRL reward functions that call a live `rlvr serve`, and the verl / OpenRLHF in-process adapters."""

from __future__ import annotations

import asyncio
import inspect
import threading

import httpx
import pytest
from serve_fixtures import live_server
from tiny_models import build_char_tokenizer, build_tiny_causal_lm

from rewards.grpo import get_reward_funcs
from rewards.remote import RemoteRewards, remote_reward_funcs
from rewards.serving.server import bind
from rewards.spec import RewardSpec
from rlvr.errors import RewardInputError

SPEC = RewardSpec.from_dict({"components": [
    {"name": "exact", "verifier": "exact"},
    {"name": "format", "shaping": "format", "weight": 0.5, "gate": "exact"},
]})  # fmt: skip
CALL = {
    "prompts": [[{"role": "user", "content": "2+2?"}]] * 3,
    "completions": [[{"role": "assistant", "content": "4"}], "5", "7"],
    "answer": ["4", "4", None],
    "trainer_state": object(),  # TRL's extras are not columns
}


def call_all(funcs, **kwargs):
    async def gather():
        return await asyncio.gather(*[f(**kwargs) for f in funcs])

    return asyncio.run(gather())


def requests_to(client: httpx.Client, route: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f'rlvr_requests_total{{route="{route}",status="200"}}'):
            return float(line.split()[-1])
    return 0.0


def test_remote_functions_give_the_in_process_numbers_in_one_request():
    with live_server(SPEC) as client:
        funcs, weights = remote_reward_funcs(str(client.base_url))
        assert [f.__name__ for f in funcs] == ["exact", "format"] and weights == [1.0, 0.5]
        assert all(inspect.iscoroutinefunction(f) for f in funcs)  # TRL runs them concurrently
        local, _ = get_reward_funcs(SPEC)
        assert call_all(funcs, **CALL) == [f(**CALL) for f in local] == [[1.0, 0.0, None], [0.0, None, None]]
        assert requests_to(client, "/v1/reward") == 1.0


def test_busy_server_is_retried_after_retry_after():
    slow = {"code": "while True: pass", "language": "python", "run_timeout": 1}
    with live_server(SPEC, max_concurrency=1, retry_after_s=1) as client:
        funcs, _ = remote_reward_funcs(str(client.base_url), backoff=0.01)
        busy = threading.Thread(target=client.post, args=("/run_code",), kwargs={"json": slow})
        busy.start()
        while client.get("/health").json()["in_flight"] == 0:
            pass
        assert call_all(funcs[:1], **CALL) == [[1.0, 0.0, None]]
        busy.join()
        assert 'rlvr_rejected_total{reason="busy"}' in client.get("/metrics").text


def test_a_refused_request_raises_at_once():
    with live_server(SPEC, max_rows=2) as client:
        funcs, _ = remote_reward_funcs(str(client.base_url), backoff=5.0)  # a retry would take seconds
        with pytest.raises(RewardInputError, match="413"):
            call_all(funcs[:1], **CALL)


def test_an_unreachable_server_raises_after_the_retries():
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()  # nothing listens there now
    remote = RemoteRewards(url, retries=2, backoff=0.01)
    with pytest.raises(httpx.ConnectError):
        asyncio.run(remote.scores({"completions": ["4"]}))


def test_grpo_trains_two_steps_against_a_live_server(tmp_path):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    with live_server(SPEC) as client:
        funcs, weights = remote_reward_funcs(str(client.base_url))
        tokenizer = build_char_tokenizer()
        data = Dataset.from_dict({"prompt": [f"{a}+{a}=" for a in range(4)], "answer": ["0", "2", "4", "6"]})
        config = GRPOConfig(
            output_dir=str(tmp_path), per_device_train_batch_size=2, num_generations=2, max_completion_length=4,
            max_steps=2, logging_steps=1, report_to="none", reward_weights=weights, bf16=False, use_cpu=True,
            save_strategy="no", shuffle_dataset=False,
        )  # fmt: skip
        trainer = GRPOTrainer(model=build_tiny_causal_lm(tokenizer), reward_funcs=funcs, args=config,
                              train_dataset=data, processing_class=tokenizer)  # fmt: skip
        trainer.train()
        served = requests_to(client, "/v1/reward")
    records = [r for r in trainer.state.log_history if "rewards/exact/mean" in r]
    assert len(records) == 2 and served == 2.0  # one request per step for both components
    assert all(0.0 <= r["rewards/exact/mean"] <= 1.0 for r in records)


@pytest.mark.parametrize(
    "solution, ground_truth, expected",
    [
        ("<think>2+2</think> \\boxed{4}", "4", {"score": 1.2, "math": 1.0, "format": 1.0, "applicable": 1.0}),
        ("The answer is 5", "4", {"score": 0.0, "math": 0.0, "format": 0.0, "applicable": 1.0}),
        # no reference: math does not apply, the format term still does
        ("<think>hm</think> 4", None, {"score": 0.2, "math": 0.0, "format": 1.0, "applicable": 1.0}),
    ],
)
def test_verl_compute_score(monkeypatch, solution, ground_truth, expected):
    from rewards.verl import compute_score

    monkeypatch.delenv("RLVR_REWARD_SPEC", raising=False)
    result = compute_score("openai/gsm8k", solution, ground_truth, extra_info={"split": "test", "index": 0})
    assert result == pytest.approx(expected)


def test_openrlhf_reward_func_reads_the_spec_from_the_environment(monkeypatch, tmp_path):
    from rewards.openrlhf import reward_func

    spec = tmp_path / "spec.yaml"
    spec.write_text("components:\n  - {name: exact, verifier: exact}\n")
    monkeypatch.setenv("RLVR_REWARD_SPEC", str(spec))
    result = reward_func(["Q: 2+2? 4", "Q: 1+1? 3"], ["Q: 2+2?", "Q: 1+1?"], ["4", "2"])
    assert result["rewards"].tolist() == [1.0, 0.0] and result["scores"].tolist() == [1.0, 0.0]
    assert result["extra_logs"]["exact"].tolist() == [1.0, 0.0]
