// Body of GET /widget.js (ORIGIN, WORDS from the wrapper). CSSOM styles only (host CSP), !important.
if (!window.icfWidget) {
  window.icfWidget = 1;
  // Text spacing stays overridable by the reader (WCAG 1.4.12), so never !important.
  const SPACING = /^(line-height|letter-spacing|word-spacing)$/;
  const css = (e, o) => { for (const k in o) e.style.setProperty(k, o[k], SPACING.test(k) ? '' : 'important'); return e; };
  const set = (e, o) => { for (const k in o) e.setAttribute(k, o[k]); };
  const make = (tag, id, o) => { const e = document.createElement(tag); e.id = id; return css(e, o); };
  const BASE = { 'box-sizing': 'border-box', margin: '0', padding: '0',
    'font-weight': '600', 'font-size': '16px', 'font-family': 'system-ui,"Segoe UI",Roboto,sans-serif',
    'line-height': '1.25', 'letter-spacing': 'normal', 'text-transform': 'none' };
  const SHADOW = '0 2px 10px #0008';
  const button = (id, text, o, shadow) => {
    const b = make('button', id, { ...BASE, display: 'block', width: 'auto', height: 'auto', 'min-width': '44px',
      'min-height': '44px', 'max-width': 'calc(100vw - 32px)', padding: '10px 18px', border: '2px solid #fff',
      'border-radius': '22px', background: '#0b4f8a', color: '#fff', 'text-align': 'center', cursor: 'pointer',
      outline: 'none', 'box-shadow': shadow, ...o });
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('focus', () => {
      if (b.matches(':focus-visible')) css(b, { outline: '2px solid transparent', 'box-shadow': '0 0 0 4px #1b1b1b,0 0 0 6px #fff' });
    });
    b.addEventListener('blur', () => css(b, { outline: 'none', 'box-shadow': shadow }));
    return b;
  };
  const launcher = button('icf-launcher', WORDS.open,
    { position: 'fixed', 'inset-block-end': '16px', 'inset-inline-end': '16px', 'z-index': '2147483646' }, SHADOW);
  set(launcher, { 'aria-expanded': false, 'aria-controls': 'icf-panel' });
  const panel = make('div', 'icf-panel', { ...BASE, position: 'fixed', 'z-index': '2147483647', display: 'none',
    'flex-direction': 'column', overflow: 'hidden', background: '#0b4f8a', 'box-shadow': SHADOW });
  set(panel, { role: 'dialog', 'aria-label': WORDS.title });
  const close = button('icf-close', WORDS.close, { 'align-self': 'flex-end', margin: '4px', 'flex-shrink': '0' }, 'none');
  panel.append(close);

  let open = false, frame;
  const small = matchMedia('(max-width:480px),(max-height:600px)');
  // Phone: full screen (focus kept in). Wide: above the launcher.
  const layout = () => {
    css(panel, small.matches
      ? { inset: '0', width: 'auto', height: 'auto', 'max-width': 'none', 'max-height': 'none', border: '0', 'border-radius': '0' }
      : { inset: 'auto', 'inset-block-end': '84px', 'inset-inline-end': '16px', width: '400px', height: '640px',
        'max-width': 'calc(100vw - 32px)', 'max-height': 'calc(100vh - 100px)', border: '2px solid #0b4f8a', 'border-radius': '12px' });
    css(launcher, { visibility: open && small.matches ? 'hidden' : 'visible' });
  };
  const show = (yes) => {
    open = yes;
    if (yes && !frame) {
      frame = make('iframe', 'icf-frame', { ...BASE, display: 'block', flex: '1 1 auto', width: '100%', height: 'auto',
        'min-height': '0', border: '0', background: '#fff' });
      set(frame, { title: WORDS.title, src: ORIGIN + '/?embed=1' });
      panel.append(frame);
    }
    css(panel, { display: yes ? 'flex' : 'none' });
    set(launcher, { 'aria-expanded': yes });
    layout();
    (yes ? frame : launcher).focus();
  };
  launcher.addEventListener('click', () => show(!open));
  close.addEventListener('click', () => show(false));
  small.addEventListener('change', layout);
  addEventListener('keydown', (e) => {
    if (open && e.key === 'Escape' && (panel.contains(document.activeElement) || document.activeElement === launcher)) show(false);
  });
  addEventListener('focusin', (e) => { if (open && small.matches && !panel.contains(e.target)) close.focus(); });
  // Escape in the chat's frame
  addEventListener('message', (e) => {
    if (open && e.origin === ORIGIN && e.source === frame.contentWindow && e.data === 'icf:close') show(false);
  });
  layout();
  const mount = () => document.body.append(launcher, panel);
  document.body ? mount() : addEventListener('DOMContentLoaded', mount);
}
