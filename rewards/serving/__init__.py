"""``rlvr serve``: the reward spec over HTTP, in rlvr's own API and the shapes other trainers send.

``app`` builds the FastAPI app (``create_app``), ``routes``/``code_routes`` translate each
protocol to the spec evaluator or the code verifier, ``guard`` enforces keys and limits,
``metrics`` exports Prometheus counters, ``server`` runs it on uvicorn.
"""

from rewards.serving.app import create_app
from rewards.serving.server import serve_forever, serving_in_thread
from rewards.serving.settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "serve_forever", "serving_in_thread"]
