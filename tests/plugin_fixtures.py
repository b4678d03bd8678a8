"""Build real third-party plugin distributions (dist-info + entry point) in a folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

PLUGIN_SOURCE = '''
from plugins import hookimpl
from verifiers.base import Verdict, Verifier, VerifierConfig


class ShoutConfig(VerifierConfig):
    delay: float = {delay}


class ShoutVerifier(Verifier):
    name = "{name}"
    description = "Passes when the completion is written in capitals"
    Config = ShoutConfig

    def verify(self, completion, reference=None, **fields):
        import time

        time.sleep(self.config.delay)
        loud = completion.isupper()
        return Verdict(score=float(loud), passed=loud, reason="loud" if loud else "quiet")


@hookimpl
def register_verifiers(register):
    register(ShoutVerifier)
'''


def install_plugin(
    site: Path,
    dist: str = "rlvr-shout",
    module: str = "rlvr_shout",
    verifier: str = "shout",
    version: str = "1.2.3",
    source: str | None = None,
    delay: float = 0.0,
) -> Path:
    """Write ``module`` and a ``dist``-info folder with an ``rlvr`` entry point into ``site``."""
    site.mkdir(parents=True, exist_ok=True)
    text = source if source is not None else PLUGIN_SOURCE.format(name=verifier, delay=delay)
    (site / f"{module}.py").write_text(text)
    dist_info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [rlvr]
        {module} = {module}
        """))
    (dist_info / "RECORD").write_text("")
    return site
