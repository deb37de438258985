'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const html = document.documentElement, log = $('log'), choicesEl = $('choices'), form = $('composer'), box = $('text'),
    statusEl = $('status'), progressEl = $('progress'), resumeForm = $('resume'), codeIn = $('code'), codeErr = $('code-error'),
    restart = $('restart'), elsewhere = $('elsewhere'), dlg = $('handoff');
  const RTL = /^(ar|ckb|dv|fa|he|ps|sd|ug|ur|yi)\b/, KEY = 'icf.conversation', MAX = 4000, DELAYS = [1000, 2000, 4000, 8000, 8000];
  const reduce = matchMedia('(prefers-reduced-motion: reduce)');
  const query = new URLSearchParams(location.search), embedded = query.get('embed') === '1';
  // The page's own words, in one place: elements with data-word / data-word-label are filled from W.
  let W = JSON.parse($('chat').dataset.words), wordsLang = html.lang;
  const wordCache = { [wordsLang]: { language: wordsLang, direction: html.dir, words: W } };
  let conv = null, busy = false, last = null, gen = 0;
  try { conv = JSON.parse(localStorage.getItem(KEY)); } catch { conv = null; }
  if (conv && !(conv.id && conv.token)) conv = null;
  if (embedded) document.body.classList.add('embedded');

  const save = () => {
    elsewhere.hidden = !conv;
    try { conv ? localStorage.setItem(KEY, JSON.stringify({ id: conv.id, token: conv.token })) : localStorage.removeItem(KEY); } catch { /* private mode */ }
  };
  const forget = () => { conv = null; save(); };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  const say = (text) => { statusEl.textContent = text || ''; };
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
  const btn = (cls, label, onClick) => { const b = el('button', cls, label); b.type = 'button'; b.addEventListener('click', onClick); return b; };
  const isToggle = (r, id) => !!(r && r.multiple && r.choices.some((ch) => ch.id === id && ch.kind === 'answer' && ch.selected !== null));
  const sameQuestion = (a, b) => !!(a && b && a.multiple && b.multiple && a.step === b.step && a.text === b.text);

  function applyWords(d) {
    W = { ...W, ...d.words };
    wordsLang = d.language;
    document.title = W.title;
    for (const e of document.querySelectorAll('[data-word]')) e.textContent = W[e.dataset.word];
    for (const e of document.querySelectorAll('[data-word-label]')) e.setAttribute('aria-label', W[e.dataset.wordLabel]);
    for (const e of document.querySelectorAll('.ui')) { e.lang = d.language; e.dir = d.direction; }
  }

  // The conversation is in `lang` now: mark the page so, and bring the page's words over to it.
  async function useLanguage(lang, dir) {
    if (!lang) return;
    html.lang = lang;
    if (dir) html.dir = dir;
    if (lang === wordsLang) return;
    try {
      let d = wordCache[lang];
      if (!d) {
        const res = await fetch('/api/words/' + encodeURIComponent(lang));
        if (!res.ok) return;
        d = wordCache[lang] = await res.json();
      }
      if (html.lang === lang) { html.dir = d.direction; applyWords(d); }
    } catch { /* keep the words we have */ }
  }

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

  // lang/dir: the reply's language and direction (what a person types gets dir=auto).
  function bubble(who, text, lang, dir) {
    const div = el('div', 'msg ' + who);
    if (lang) div.lang = lang;
    const by = el('span', 'vh', (who === 'me' ? W.you : W.assistant) + ': ');
    by.lang = wordsLang;
    div.append(by);
    for (const t of text.split('\n\n')) {
      const p = el('p', null, t);
      p.dir = dir || 'auto'; // the text's own direction; the bubble's shape follows the page
      div.append(p);
    }
    log.append(div);
    return div;
  }

  function planButtons() {
    const row = el('div', 'plan ui');
    row.lang = wordsLang;
    const open = btn('primary', W.open_plan, () => plan(false)), keep = btn('primary', W.download_plan, () => plan(true));
    open.dataset.word = 'open_plan';
    keep.dataset.word = 'download_plan';
    row.append(open, keep);
    log.append(row);
  }

  function renderChoices(r) {
    last = r;
    const answers = el('div', 'answers'), nav = el('div', 'nav');
    for (const ch of (r && r.choices) || []) {
      const toggle = isToggle(r, ch.id);
      const b = btn(ch.kind === 'nav' ? 'secondary' : r.multiple && ch.id === 'done' ? 'primary' : '', ch.label,
        () => send({ choice: ch.id }, toggle ? null : ch.label, toggle && ch.id));
      b.dataset.id = ch.id;
      if (toggle) b.setAttribute('aria-pressed', String(!!ch.selected));
      (ch.kind === 'nav' ? nav : answers).append(b);
    }
    choicesEl.replaceChildren(...[answers, nav].filter((d) => d.childElementCount));
  }

  function focusOn(focus, scrollTo) {
    if (scrollTo) scrollTo.scrollIntoView({ block: 'start', behavior: reduce.matches || !focus ? 'auto' : 'smooth' });
    if (!focus) return;
    const target = (typeof focus === 'string' && choicesEl.querySelector(`[data-id="${CSS.escape(focus)}"]`))
      || choicesEl.querySelector('.answers button') || (conv ? box : restart);
    target.focus({ preventScroll: true });
  }

  // Nothing more can be done here: say why and offer a fresh start. What is stored stays until Start again
  // (a reload says the same again; a bad ?resume= link does not lose a conversation kept here).
  function stuck(text, focus) {
    conv = null;
    elsewhere.hidden = true;
    renderChoices(null);
    progressEl.textContent = '';
    say(text);
    const b = btn('primary', W.start_again, () => start(true));
    b.dataset.word = 'start_again';
    choicesEl.replaceChildren(b);
    if (focus) b.focus();
  }

  // Show a ConversationOut. focus: false = leave focus alone, true = sensible default, string = that choice id.
  function show(c, focus) {
    useLanguage(c.language, c.direction);
    if (c.token) { conv = { id: c.conversation_id, token: c.token }; save(); }
    const gone = c.status === 'deleted', replies = c.replies || [];
    if (!replies.length) { if (gone) forget(); return; }
    const end = replies[replies.length - 1];
    // A multi-choice toggle comes back as the same question with new selections: update it in place.
    const same = replies.length === 1 && sameQuestion(last, end);
    let first = null;
    if (!same) {
      for (const r of replies) {
        const b = bubble('bot', r.text, c.language, c.direction);
        first = first || b;
        if (r.document && r.document.kind === 'plan') planButtons();
      }
      progressEl.textContent = end.progress || '';
    }
    if (gone) forget(); // the server says "start a new one": Start again is the way on
    renderChoices(end);
    focusOn(!gone && focus, focus ? first : null);
    if (focus && gone) restart.focus();
  }

  async function send(body, echo, focusId) {
    if (busy) return true;
    if (!conv) { stuck(W.expired, true); return false; }
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
      if (e.status === 404) stuck(W.expired, true); else say(W.failed);
      return false;
    } finally { if (g === gen) busy = false; }
  }

  // Draw the stored history, then bring the last reply back to life: its buttons, progress and language.
  async function load(focus) {
    const items = await api('GET', `/api/conversations/${conv.id}/messages`);
    log.replaceChildren();
    let prev = null, lang = null;
    for (const m of items) {
      const r = m.reply;
      if (m.direction === 'out') {
        if (!sameQuestion(prev, r)) {
          bubble('bot', m.text, m.language, RTL.test(m.language) ? 'rtl' : 'ltr');
          if (r && r.document && r.document.kind === 'plan') planButtons();
        }
        prev = r;
        lang = m.language;
      } else if (!m.text.startsWith('/resume') && !isToggle(prev, m.choice)) bubble('me', m.text);
    }
    progressEl.textContent = (prev && prev.progress) || '';
    renderChoices(prev);
    useLanguage(lang);
    const bots = log.querySelectorAll('.bot');
    focusOn(focus, bots[bots.length - 1]);
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

  // Carry on with a code. fromForm: errors go under the code box; otherwise (a ?resume= link) to the status line.
  async function resume(code, fromForm) {
    const bad = (text) => {
      codeIn.value = code;
      codeIn.setAttribute('aria-invalid', 'true');
      if (fromForm) { codeErr.textContent = text; codeIn.focus(); } else stuck(text);
    };
    if (code.length < 4 || code.length > 64) { bad(W.bad_code); return; }
    const g = ++gen;
    busy = true;
    try {
      const c = await api('POST', '/api/resume', { code, request_id: newId() });  // retried with the same id
      if (g !== gen) return;
      conv = { id: c.conversation_id, token: c.token };
      save();
      codeIn.value = codeErr.textContent = '';
      codeIn.removeAttribute('aria-invalid');
      useLanguage(c.language, c.direction);
      try { await load(fromForm); } catch { if (g === gen) { log.replaceChildren(); last = null; show(c, fromForm); } }
    } catch (err) {
      if (g === gen) bad(err.status === 404 || err.status === 422 ? W.bad_code : W.failed);
    } finally { if (g === gen) busy = false; }
  }

  async function plan(download) {
    if (!conv) return;
    const w = download ? null : window.open('', '_blank');
    try {
      const page = await api('GET', `/api/conversations/${conv.id}/plan`, undefined, true);
      const url = URL.createObjectURL(new Blob([page], { type: 'text/html;charset=utf-8' }));
      if (w) { w.opener = null; w.location.href = url; } else {
        const a = el('a'); // saving, or the new tab was blocked
        a.href = url;
        if (download) a.download = 'icf-support-plan.html'; else a.target = '_blank';
        a.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) {
      if (w) w.close();
      if (e.status === 404) stuck(W.expired, true); else say(W.failed);
    }
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

  restart.addEventListener('click', () => start(true));

  resumeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!busy) resume(codeIn.value.trim(), true);
  });

  // Carry on another device: a one-time link, its code and a QR picture in a modal dialog.
  elsewhere.addEventListener('click', async () => {
    if (!conv) return;
    try {
      const h = await api('POST', `/api/conversations/${conv.id}/handoff`);
      const a = $('handoff-link');
      a.href = a.textContent = h.link;
      $('handoff-code').textContent = h.code;
      // An SVG shown as an image needs its namespace, which inline SVG leaves out.
      const svg = h.qr_svg.replace(/<svg(?![^>]*\sxmlns=)/, '<svg xmlns="http://www.w3.org/2000/svg"');
      $('handoff-qr').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
      dlg.showModal();
      a.focus();
    } catch (e) {
      if (e.status === 404) stuck(W.expired, true); else say(W.failed);
    }
  });
  dlg.addEventListener('close', () => elsewhere.hidden ? restart.focus() : elsewhere.focus());

  // In the widget's frame, Escape closes the widget (the host page cannot hear keys pressed in here).
  if (embedded && parent !== window) {
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !dlg.open) parent.postMessage('icf:close', '*');
    });
  }

  save();
  const code = query.get('resume');
  if (code !== null) {
    query.delete('resume');
    const rest = query.toString();
    history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
    resume(code.trim(), false);
  } else if (!conv) start(false);
  else {
    load(false).catch((e) => { if (e.status === 404) stuck(W.expired); else say(W.failed); });
  }
})();
