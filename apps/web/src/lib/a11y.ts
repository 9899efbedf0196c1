import i18n from '../i18n';

/**
 * What screen readers hear of Ant Design's own markup, fixed once for every page:
 *
 * - Icons are drawn as `<span role="img" aria-label="dashboard">`: a reader says "dashboard 综合看板"
 *   before every menu item and button. Every icon here is decorative (each control is named by its
 *   text, or by an aria-label of its own where it shows only an icon), so icons are hidden.
 * - InputNumber's step handles say "Increase Value" / "Decrease Value" in English whatever the
 *   language; they are mouse helpers (the arrow keys step the field), so they are named in the
 *   reader's language and hidden from the accessibility tree.
 *
 * A MutationObserver applies this to whatever React or Ant Design renders, in portals too.
 */
function fix(el: Element): void {
  // A focusable icon is a control (a tag's close "×"): named in the reader's language, not hidden.
  if (el.classList.contains('anticon') && el.hasAttribute('tabindex')) {
    // Ant Design's own label (from its locale, or one we passed) stays; the icon's English name ("close") does not.
    const current = el.getAttribute('aria-label');
    if (!current || /^[a-z-]+$/.test(current)) el.setAttribute('aria-label', i18n.t('a11y.close'));
    if (el.getAttribute('role') !== 'button') el.setAttribute('role', 'button');
    if (el.hasAttribute('aria-hidden')) el.removeAttribute('aria-hidden');
    return;
  }
  if (el.classList.contains('anticon') && el.getAttribute('aria-hidden') !== 'true') {
    el.removeAttribute('role');
    el.removeAttribute('aria-label');
    el.setAttribute('aria-hidden', 'true');
  }
  // An input's clear "×" is a button with only an icon (axe: button-name): named in the reader's language.
  if (el.classList.contains('ant-input-clear-icon')) {
    const label = i18n.t('a11y.clearInput');
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    return;
  }
  if (el.classList.contains('ant-input-number-action') || el.classList.contains('ant-input-number-handler')) {
    const up = el.className.includes('-up');
    const label = i18n.t(up ? 'a11y.increase' : 'a11y.decrease');
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    if (el.getAttribute('aria-hidden') !== 'true') el.setAttribute('aria-hidden', 'true');
  }
}

function sweep(root: ParentNode): void {
  if (root instanceof Element) fix(root);
  root.querySelectorAll('.anticon, .ant-input-number-action, .ant-input-number-handler, .ant-input-clear-icon').forEach(fix);
}

export function watchAccessibility(root: HTMLElement = document.body): void {
  sweep(root);
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes') fix(m.target as Element);
      else m.addedNodes.forEach((n) => n instanceof Element && sweep(n));
    }
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label', 'role', 'aria-hidden', 'tabindex'] });
  i18n.on('languageChanged', () => sweep(root));
}
