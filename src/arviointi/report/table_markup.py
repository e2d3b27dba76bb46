"""The scroll container around every report table.

A wide table scrolls sideways inside its container on a narrow screen. WCAG 2.1 (2.1.1
Keyboard) wants a keyboard user to reach that scrolling too, so the container is a
focusable, named region (axe-core rule ``scrollable-region-focusable``).

    scroll_wrap("<table>...</table>", "Table 3: Costs by category")
"""

from __future__ import annotations

import html


def scroll_wrap(table_html: str, label: str) -> str:
    """``table_html`` in a keyboard-focusable region named ``label`` (plain text)."""
    name = html.escape(label, quote=True)
    return (
        f'<div class="arv-table-wrap" tabindex="0" role="region" aria-label="{name}">'
        f"{table_html}</div>"
    )
