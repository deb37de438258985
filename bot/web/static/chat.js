'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const log = $('log'), choicesEl = $('choices'), form = $('composer'), box = $('text'), statusEl = $('status'),
    progressEl = $('progress'), resumeForm = $('resume'), codeIn = $('code'), codeErr = $('code-error');
  const W = JSON.parse($('chat').dataset.words);
  const KEY = 'icf.conversation', MAX = 4000, DELAYS = [1000, 2000, 4000, 8000, 8000];
  const reduce = matchMedia('(prefers-reduced-motion: reduce)');
  let conv = null, busy = false, last = null, gen = 0;
  try { conv = JSON.parse(localStorage.getItem(KEY)); } catch { conv = null; }

  const save = () => { try { conv ? localStorage.setItem(KEY, JSON.stringify(conv)) : localStorage.removeItem(KEY); } catch { /* private mode */ } };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  const say = (text) => { statusEl.textContent = text || ''; };
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
  const btn = (cls, label, onClick) => { const b = el('button', cls, label); b.type = 'button'; b.addEventListener('click', onClick); return b; };

  // One API call. Network trouble, 5xx and "busy" are retried; the same body goes again each time.
  async function api(method, path, body, asText) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (conv && path.startsWith('/api/conversations/')) headers.Authorization = 'Bearer ' + conv.token;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const slow = setTimeout(() => say(W.sending), 400);
    try {
      for (let attempt = 0; ; attempt++) {
        let res = null, data = null;
        try { res = await fetch(path, init); } catch { /* offline */ }
        if (res && res.ok) { say(''); return asText ? res.text() : res.json(); }
        if (res) { try { data = await res.json(); } catch { /* not JSON */ } }
        const soon = res && (res.status === 429 || (res.status === 409 && data && data.error === 'busy'));
        if (!(soon || !res || res.status >= 500) || attempt >= DELAYS.length) {
          throw Object.assign(new Error('api'), { status: res ? res.status : 0, data });
        }
        clearTimeout(slow);
        say(W.retrying);
        await sleep(soon ? 1000 : DELAYS[attempt]);
      }
    } finally { clearTimeout(slow); }
  }

  function bubble(who, text) {
    const div = el('div', 'msg ' + who);
    text.split('\n\n').forEach((t, i) => {
      const p = el('p');
      if (!i) p.append(el('span', 'vh', (who === 'me' ? W.you : W.assistant) + ': '));
      p.append(t);
      div.append(p);
    });
    log.append(div);
    return div;
  }

  function planButtons() {
    const row = el('div', 'plan');
    row.append(btn('primary', W.open_plan, () => plan(false)), btn('primary', W.download_plan, () => plan(true)));
    log.append(row);
  }

  function renderChoices(r) {
    last = r;
    const answers = el('div', 'answers'), nav = el('div', 'nav');
    for (const ch of (r && r.choices) || []) {
      const toggle = r.multiple && ch.kind === 'answer' && ch.selected !== null;
      const b = btn(ch.kind === 'nav' ? 'secondary' : r.multiple && ch.id === 'done' ? 'primary' : '', ch.label,
        () => send({ choice: ch.id }, toggle ? null : ch.label, toggle && ch.id));
      b.dataset.id = ch.id;
      if (toggle) b.setAttribute('aria-pressed', String(!!ch.selected));
      (ch.kind === 'nav' ? nav : answers).append(b);
    }
    choicesEl.replaceChildren(...[answers, nav].filter((d) => d.childElementCount));
  }

  // Show a ConversationOut. focus: false = leave focus alone, true = sensible default, string = that choice id.
  function show(c, focus) {
    document.documentElement.lang = c.language;
    document.documentElement.dir = c.direction;
    if (c.token) { conv = { id: c.conversation_id, token: c.token }; save(); }
    const gone = c.status === 'deleted', replies = c.replies || [];
    if (!replies.length) { if (gone) forget(); return; }
    const end = replies[replies.length - 1];
    // A multi-choice toggle comes back as the same question with new selections: update it in place.
    const same = replies.length === 1 && last && end.multiple && end.step === last.step && end.text === last.text;
    let first = null;
    if (!same) {
      for (const r of replies) {
        const b = bubble('bot', r.text);
        first = first || b;
        if (r.document && r.document.kind === 'plan') { planButtons(); conv.plan = true; save(); }
      }
      progressEl.textContent = end.progress || '';
    }
    if (gone) forget(); // the server says "start a new one": Start again is the way on
    renderChoices(end);
    if (!focus) return;
    if (first) first.scrollIntoView({ block: 'start', behavior: reduce.matches ? 'auto' : 'smooth' });
    const target = (gone && $('restart')) || (typeof focus === 'string' && choicesEl.querySelector(`[data-id="${CSS.escape(focus)}"]`))
      || choicesEl.querySelector('.answers button') || box;
    target.focus({ preventScroll: true });
  }

  function forget() { conv = null; save(); }

  async function send(body, echo, focusId) {
    if (busy) return true;
    if (!conv) { say(W.failed); $('restart').focus(); return false; }
    busy = true;
    const g = gen, mine = echo == null ? null : bubble('me', echo);
    body.client_message_id = newId();
    try {
      const c = await api('POST', `/api/conversations/${conv.id}/messages`, body);
      if (g === gen) show(c, focusId || true);
      return true;
    } catch (e) {
      if (g !== gen) return true;
      if (mine) mine.remove();
      say(W.failed);
      if (e.status === 404) { forget(); renderChoices(null); $('restart').focus(); }
      return false;
    } finally { if (g === gen) busy = false; }
  }

  // Redraw the stored history (it has no choices). skip: leave off that many entries at the end.
  async function redraw(skip) {
    const items = await api('GET', `/api/conversations/${conv.id}/messages`);
    if (skip) items.splice(items.length - skip);
    log.replaceChildren();
    for (const m of items) {
      if (m.direction === 'out') bubble('bot', m.text);
      else if (!m.text.startsWith('/resume')) bubble('me', m.text);
    }
  }

  async function start(focus) {
    const g = ++gen;
    forget();
    log.replaceChildren();
    renderChoices(null);
    progressEl.textContent = '';
    busy = true;
    try {
      const c = await api('POST', '/api/conversations', { language: (navigator.language || 'en').slice(0, 35) });
      if (g === gen) show(c, focus);
    } catch { if (g === gen) say(W.failed); } finally { if (g === gen) busy = false; }
  }

  async function plan(download) {
    if (!conv) return;
    const w = download ? null : window.open('', '_blank');
    try {
      const html = await api('GET', `/api/conversations/${conv.id}/plan`, undefined, true);
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
      if (w) { w.opener = null; w.location.href = url; } else {
        const a = el('a'); // saving, or the new tab was blocked
        a.href = url;
        if (download) a.download = 'icf-support-plan.html'; else a.target = '_blank';
        a.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch { if (w) w.close(); say(W.failed); }
  }

  const grow = () => { box.style.height = 'auto'; box.style.height = box.scrollHeight + box.offsetHeight - box.clientHeight + 'px'; };
  box.addEventListener('input', grow);
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = box.value.trim();
    if (!text || busy) return;
    if ([...text].length > MAX) { say(W.failed); return; }
    box.value = '';
    grow();
    if (!(await send({ text }, text)) && !box.value) { box.value = text; grow(); }
  });

  $('restart').addEventListener('click', () => start(true));

  resumeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = codeIn.value.trim();
    const bad = (text) => { codeErr.textContent = text; codeIn.setAttribute('aria-invalid', 'true'); codeIn.focus(); };
    if (busy) return;
    if (code.length < 4 || code.length > 64) { bad(W.bad_code); return; }
    const g = ++gen;
    busy = true;
    try {
      const c = await api('POST', '/api/resume', { code });
      if (g !== gen) return;
      conv = { id: c.conversation_id, token: c.token };
      save();
      codeIn.value = codeErr.textContent = '';
      codeIn.removeAttribute('aria-invalid');
      last = null;
      try { await redraw((c.replies || []).length); } catch { log.replaceChildren(); }
      if (g === gen) show(c, true);
    } catch (err) {
      if (g === gen) bad(err.status === 404 || err.status === 422 ? W.bad_code : W.failed);
    } finally { if (g === gen) busy = false; }
  });

  (async () => {
    if (!conv || !conv.id || !conv.token) return start(false);
    try {
      await redraw(0);
      if (conv.plan) planButtons();
    } catch (e) {
      if (e.status === 404) return start(false);
      say(W.failed);
    }
  })();
})();
