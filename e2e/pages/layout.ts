import type { Page } from '@playwright/test';

export interface Offscreen {
  name: string;
  left: number;
  right: number;
}

/**
 * Every enabled-or-not button, link and field of the main area that is
 * rendered but lies (partly) outside the window horizontally, or inside a
 * horizontally scrolled box beyond its visible part: what a user could not
 * reach without a scrollbar they may not notice.
 */
export async function unreachableControls(page: Page): Promise<Offscreen[]> {
  // A string: the node tsconfig has no DOM types.
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('main button, main a[href], main input, main select, [role="dialog"] button')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      let left = 0;
      let right = width;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden') {
          const box = p.getBoundingClientRect();
          left = Math.max(left, box.left);
          right = Math.min(right, box.right);
        }
      }
      if (r.left < left - 1 || r.right > right + 1) out.push({ name: (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40), left: Math.round(r.left), right: Math.round(r.right) });
    }
    return out;
  })()`);
}
