"""Copy the front-end assets installed by npm into static/vendor (git-ignored)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "bankcrm" / "web" / "static" / "vendor"
FILES = {
    "node_modules/@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
    "node_modules/@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
    "node_modules/htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "node_modules/echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "node_modules/sortablejs/Sortable.min.js": "sortablejs/Sortable.min.js",
}


def main() -> int:
    """Copy each file; fail loudly when npm has not installed it."""
    missing = [src for src in FILES if not (ROOT / src).is_file()]
    if missing:
        print("missing front-end assets (run 'npm ci' first): " + ", ".join(missing), file=sys.stderr)
        return 1
    for src, dst in FILES.items():
        target = VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / src, target)
    print(f"copied {len(FILES)} assets into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
