"""The reason codes the pages group by (recognition, work authorisation, what full recognition would lift),
written into a marked block of ``static/js/common.js`` from their one definition in
:mod:`matching.ranking.reasons`. ``python -m api.web.reason_codes`` rewrites the block; a test fails when it is
out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

from matching.ranking.reasons import javascript_constants

COMMON_JS = Path(__file__).parent / "static" / "js" / "common.js"
_BLOCK = re.compile(r"(// BEGIN reason codes[^\n]*\n)(.*?)(// END reason codes\n)", re.S)


def render(script: str) -> str:
    """``script`` with its block of reason codes generated afresh."""
    if not _BLOCK.search(script):
        raise ValueError(f"{COMMON_JS.name} has no '// BEGIN reason codes' … '// END reason codes' block.")
    return _BLOCK.sub(lambda m: m[1] + javascript_constants() + "\n" + m[3], script, count=1)


def main() -> None:
    script = COMMON_JS.read_text(encoding="utf-8")
    COMMON_JS.write_text(render(script), encoding="utf-8")


if __name__ == "__main__":
    main()
