// Body of GET /widget.js (START from the wrapper: origin, language, direction, words, accent).
// Everything lives in a shadow root, styled through the CSSOM only (a partner's CSP may forbid inline
// styles), so no rule of the partner's page reaches inside and nothing here leaks out.
if (!window.icfWidget) {
  window.icfWidget = 1;
  const ORIGIN = START.origin, KEY = 'icf.widget.words', ACCENT = START.accent, INK = '#0b0c0c', FOCUS = '#ffdd00';
  let words = START.words, lang = START.language, dir = START.direction;
  try { const kept = JSON.parse(localStorage.getItem(KEY)); if (kept && kept.words && kept.language) ({ words, language: lang, direction: dir } = kept); } catch { /* none kept */ }
  const css = (e, o) => { for (const k in o) e.style.setProperty(k, o[k]); return e; };
  const set = (e, o) => { for (const k in o) e.setAttribute(k, o[k]); return e; };
  const make = (tag, id, o) => { const e = document.createElement(tag); if (id) e.id = id; return css(e, o || {}); };
  const FONT = { 'font-family': 'system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif', 'font-size': '16px', 'line-height': '1.4',
    color: INK, 'box-sizing': 'border-box', margin: '0' };

  // The host element: `all: initial` (inline and important, so no partner rule wins) cuts every inherited style.
  // It hangs from <html>, not <body>, so a transform, filter or zoom on the page's body cannot move or scale it.
  const root = document.createElement('div');
  root.id = 'icf-widget';
  root.style.setProperty('all', 'initial', 'important');
  const shadow = root.attachShadow({ mode: 'open' });

  const focusRing = (b, rest) => {
    b.addEventListener('focus', () => { if (b.matches(':focus-visible')) css(b, { outline: `3px solid ${FOCUS}`, 'box-shadow': `0 0 0 6px ${INK}` }); });
    b.addEventListener('blur', () => css(b, { outline: 'none', 'box-shadow': rest }));
  };
  const SHADOW = '0 2px 8px rgba(0,0,0,.45)';
  const launcher = make('button', 'icf-launcher', { ...FONT, position: 'fixed', 'z-index': '2147483646', width: '56px', height: '56px',
    padding: '0', border: '2px solid #fff', 'border-radius': '50%', background: ACCENT, color: '#fff', cursor: 'pointer',
    display: 'flex', 'align-items': 'center', 'justify-content': 'center', outline: 'none', 'box-shadow': SHADOW, 'transform-origin': '0 0' });
  launcher.type = 'button';
  set(launcher, { 'aria-expanded': 'false', 'aria-controls': 'icf-panel' });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  set(svg, { viewBox: '0 0 24 24', width: '28', height: '28', 'aria-hidden': 'true', focusable: 'false' });
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  set(path, { d: 'M4 4h16v11H9l-5 4V4z M8 10l2.5 2.5L16 7', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round' });
  svg.append(path);
  launcher.append(svg);
  focusRing(launcher, SHADOW);

  const panel = make('div', 'icf-panel', { ...FONT, position: 'fixed', 'z-index': '2147483647', display: 'none', 'flex-direction': 'column',
    overflow: 'hidden', background: '#fff', 'box-shadow': SHADOW, 'transform-origin': '0 0' });
  set(panel, { role: 'dialog', 'aria-labelledby': 'icf-title' });
  const bar = make('div', null, { ...FONT, display: 'flex', 'align-items': 'center', gap: '8px', padding: '4px 4px 4px 12px',
    'border-bottom': `4px solid ${ACCENT}`, background: '#fff', 'flex-shrink': '0' });
  const title = make('h2', 'icf-title', { ...FONT, flex: '1', 'font-size': '17px', 'font-weight': '700', 'overflow-wrap': 'anywhere' });
  const close = make('button', 'icf-close', { ...FONT, 'min-width': '44px', 'min-height': '44px', padding: '8px 14px', border: `2px solid ${INK}`,
    background: '#fff', 'font-weight': '600', cursor: 'pointer', outline: 'none' });
  close.type = 'button';
  focusRing(close, 'none');
  bar.append(title, close);
  const body = make('div', null, { position: 'relative', flex: '1 1 auto', 'min-height': '0', display: 'flex', 'flex-direction': 'column' });
  const fallback = make('div', null, { ...FONT, display: 'none', padding: '16px' });
  const blocked = make('p', null, { ...FONT, margin: '0 0 16px' });
  const here = make('a', 'icf-open-here', { ...FONT, display: 'inline-block', padding: '10px 16px', background: ACCENT, color: '#fff',
    'font-weight': '600', 'text-decoration': 'none', outline: 'none', 'box-shadow': `0 2px 0 ${INK}` });
  here.href = ORIGIN + '/';
  focusRing(here, `0 2px 0 ${INK}`);
  fallback.append(blocked, here);
  body.append(fallback);
  panel.append(bar, body);
  const probe = make('div', null, { position: 'fixed', visibility: 'hidden', 'pointer-events': 'none',
    padding: 'env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)' });
  shadow.append(launcher, panel, probe);

  // The widget's own words and language follow the conversation's (the chat tells us when it switches).
  const speak = () => {
    launcher.setAttribute('aria-label', words.open);
    launcher.title = words.open;
    title.textContent = words.title;
    close.textContent = words.close;
    blocked.textContent = words.blocked;
    here.textContent = words.open_here;
    if (frame) frame.title = words.title;
    for (const e of [launcher, panel]) set(e, { lang, dir });
  };

  let open = false, frame = null, ready = false, timer = 0, spot = 0, locked = null;
  const vv = window.visualViewport;
  // The visible part of the page, in the page's own CSS pixels, and how far the page is zoomed out. A phone
  // zooms a page wider than its screen out, so fixed boxes are drawn smaller: undo that for ours.
  const screenBox = () => {
    const s = vv ? Math.min(vv.scale, 1) : 1;
    return { x: vv ? vv.offsetLeft : 0, y: vv ? vv.offsetTop : 0, w: (vv ? vv.width : innerWidth) * s, h: (vv ? vv.height : innerHeight) * s, s };
  };
  const insets = () => { const c = getComputedStyle(probe); return ['top', 'right', 'bottom', 'left'].map((k) => parseFloat(c['padding-' + k]) || 0); };
  // Put `e` at (x, y) of the screen with size (w, h), all in unzoomed pixels.
  const place = (e, g, x, y, w, h) => css(e, { left: g.x + x / g.s + 'px', top: g.y + y / g.s + 'px', width: w + 'px', height: h + 'px',
    right: 'auto', bottom: 'auto', transform: g.s < 1 ? `scale(${1 / g.s})` : 'none' });
  const phone = (g) => g.w <= 640 || g.h <= 600;
  const rtl = () => getComputedStyle(document.documentElement).direction === 'rtl';
  // Where the launcher may sit: its corner first, then the other corner, then higher up on either side.
  const spots = (g, [t, r, b, l]) => {
    const end = rtl() ? 16 + l : g.w - 72 - r, start = rtl() ? g.w - 72 - r : 16 + l, low = g.h - 72 - b, high = Math.max(16 + t, g.h * 0.4);
    return [[end, low], [start, low], [end, high], [start, high]];
  };
  const launcherBox = (g, [x, y]) => ({ left: g.x + x / g.s, top: g.y + y / g.s, right: g.x + (x + 56) / g.s, bottom: g.y + (y + 56) / g.s });
  const overlaps = (a, b) => a.left < b.right + 8 && b.left < a.right + 8 && a.top < b.bottom + 8 && b.top < a.bottom + 8;

  const layout = () => {
    const g = screenBox(), safe = insets(), small = phone(g);
    if (small) {
      place(panel, g, 0, 0, g.w, g.h);
      css(panel, { border: '0', 'border-radius': '0', padding: safe.map((v) => v + 'px').join(' ') });
    } else {
      const w = Math.min(400, g.w - 32), h = Math.min(640, g.h - 104), x = rtl() ? 16 : g.w - w - 16;
      place(panel, g, x, g.h - h - 88, w, h);
      css(panel, { border: `2px solid ${INK}`, 'border-radius': '0', padding: '0' });
    }
    const [x, y] = spots(g, safe)[spot];
    place(launcher, g, x, y, 56, 56);
    css(launcher, { visibility: open && small ? 'hidden' : 'visible' });
    if (open) modal(small);
  };

  // On a phone the panel covers the page: the page behind is inert and does not scroll. Wide, it sits beside.
  const modal = (yes) => {
    if (yes && !locked) {
      locked = { inert: [], styles: [] };
      for (const e of document.documentElement.children) if (e !== root && !e.inert) { e.inert = true; locked.inert.push(e); }
      for (const e of [document.documentElement, document.body]) {
        locked.styles.push([e, e.style.getPropertyValue('overflow'), e.style.getPropertyPriority('overflow')]);
        e.style.setProperty('overflow', 'hidden', 'important');
      }
    } else if (!yes && locked) {
      for (const e of locked.inert) e.inert = false;
      for (const [e, value, priority] of locked.styles) e.style.setProperty('overflow', value, priority);
      locked = null;
    }
    if (yes) panel.setAttribute('aria-modal', 'true'); else panel.removeAttribute('aria-modal');
  };

  // The chat could not load in a frame (the page's CSP has no frame-src for us, or frames are blocked):
  // offer it in this tab instead.
  const showFallback = (yes) => { css(fallback, { display: yes ? 'block' : 'none' }); if (frame) css(frame, { display: yes ? 'none' : 'block' }); };
  const toFrame = (data) => { if (frame && frame.contentWindow) frame.contentWindow.postMessage(data, ORIGIN); };
  const makeFrame = () => {
    frame = make('iframe', 'icf-frame', { display: 'block', flex: '1 1 auto', width: '100%', height: 'auto', 'min-height': '0', border: '0', background: '#fff' });
    set(frame, { title: words.title, src: `${ORIGIN}/?embed=1&lang=${encodeURIComponent(lang)}` });
    frame.addEventListener('load', () => { clearTimeout(timer); timer = setTimeout(() => { if (!ready) showFallback(true); }, 2500); });
    timer = setTimeout(() => { if (!ready) showFallback(true); }, 10000);
    body.append(frame);
  };
  document.addEventListener('securitypolicyviolation', (e) => {
    if (String(e.blockedURI).startsWith(ORIGIN) && /^(frame|child|default)-src/.test(e.violatedDirective || e.effectiveDirective)) showFallback(true);
  });

  const show = (yes) => {
    open = yes;
    if (yes && !frame) makeFrame();
    css(panel, { display: yes ? 'flex' : 'none' });
    launcher.setAttribute('aria-expanded', String(yes));
    if (!yes) modal(false);
    layout();
    if (!yes) launcher.focus();
    else if (ready) { frame.focus(); toFrame({ icf: 'focus' }); } else close.focus();
  };
  launcher.addEventListener('click', () => show(!open));
  close.addEventListener('click', () => show(false));
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); show(false); } });
  addEventListener('message', (e) => {
    if (!frame || e.origin !== ORIGIN || e.source !== frame.contentWindow || !e.data) return;
    const d = e.data;
    if (d.icf === 'close' && open) show(false);
    if (d.icf === 'ready') {
      ready = true;
      clearTimeout(timer);
      showFallback(false);
      if (open && root.matches(':focus-within')) { frame.focus(); toFrame({ icf: 'focus' }); }
    }
    if (d.icf === 'language' && d.words && d.words.open) {
      ({ words, language: lang, direction: dir } = d);
      speak();
      try { localStorage.setItem(KEY, JSON.stringify({ words, language: lang, direction: dir })); } catch { /* private mode */ }
    }
  });

  // A focused link or button of the partner's page must never sit under the launcher: move it aside.
  const avoid = () => {
    const e = document.activeElement;
    if (!e || e === root || e === document.body) return;
    const g = screenBox(), r = e.getBoundingClientRect(), all = spots(g, insets());
    const free = all.findIndex((s) => !overlaps(launcherBox(g, s), r));
    const next = free < 0 ? 0 : free;
    if (next !== spot) { spot = next; layout(); }
  };
  let queued = false;
  const soon = (f) => () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; f(); }); } };
  addEventListener('focusin', soon(() => { layout(); avoid(); }));
  addEventListener('scroll', soon(avoid), { passive: true });
  addEventListener('resize', soon(layout));
  if (vv) { vv.addEventListener('resize', soon(layout)); vv.addEventListener('scroll', soon(layout)); }

  speak();
  layout();
  const mount = () => { document.documentElement.append(root); layout(); };
  document.body ? mount() : addEventListener('DOMContentLoaded', mount);
}
