'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const html = document.documentElement, log = $('log'), choicesEl = $('choices'), form = $('composer'), box = $('text'),
    statusEl = $('status'), progressEl = $('progress'), resumeForm = $('resume'), codeIn = $('code'), codeErr = $('code-error'),
    restart = $('restart'), elsewhere = $('elsewhere'), dlg = $('handoff'), more = $('more'), menu = $('more-menu'), moreCommands = $('more-commands'),
    typeInstead = $('type-instead'), navEl = $('nav'), saveCopy = $('save-copy'), help = $('help'), restartDlg = $('restart-dialog');
  const RTL = /^(ar|ckb|dv|fa|he|ps|sd|ug|ur|yi)\b/, KEY = 'icf.conversation', MAX = 4000, DELAYS = [1000, 2000, 4000, 8000, 8000];
  const FSI = '\u2068', PDI = '\u2069';
  const reduce = matchMedia('(prefers-reduced-motion: reduce)');
  const query = new URLSearchParams(location.search), embedded = query.get('embed') === '1' && parent !== window;
  // The page's own words, in one place: elements with data-word / data-word-label are filled from W.
  let W = JSON.parse($('content').dataset.words), wordsLang = html.lang, widgetWords = null;
  const wordCache = {};
  let conv = null, busy = false, last = null, gen = 0, planLink = null, ids = 0, focusWanted = false;
  try { conv = JSON.parse(localStorage.getItem(KEY)); } catch { conv = null; }
  if (conv && !(conv.id && conv.token)) conv = null;

  const save = () => {
    elsewhere.hidden = saveCopy.hidden = !conv;
    try { conv ? localStorage.setItem(KEY, JSON.stringify({ id: conv.id, token: conv.token })) : localStorage.removeItem(KEY); } catch { /* private mode */ }
  };
  const forget = () => { conv = null; planLink = null; save(); };
  const ended = (e) => e.status === 404 || e.status === 410; // a wrong token, or the conversation was deleted
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  const say = (text) => { statusEl.textContent = text || ''; };
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
  const btn = (cls, label, onClick) => { const b = el('button', cls, label); b.type = 'button'; b.addEventListener('click', onClick); return b; };
  const latestBot = () => { const all = log.querySelectorAll('.msg.bot'); return all[all.length - 1] || null; };
  const dirOf = (lang) => (RTL.test(lang || '') ? 'rtl' : 'ltr');
  const isToggle = (r, id) => !!(r && r.multiple && r.choices.some((ch) => ch.id === id && ch.kind === 'answer' && ch.selected !== null));
  const sameQuestion = (a, b) => !!(a && b && a.multiple && b.multiple && a.step === b.step && a.text === b.text);
  // Messages to the partner's page that holds the widget: only words and "close", nothing secret.
  const host = (location.ancestorOrigins && location.ancestorOrigins[0]) || '*';
  const tell = (data) => { if (embedded) parent.postMessage(data, host); };

  function applyWords(d) {
    W = { ...W, ...d.words };
    wordsLang = d.language;
    document.title = W.title;
    for (const e of document.querySelectorAll('[data-word]')) e.textContent = W[e.dataset.word];
    for (const e of document.querySelectorAll('[data-word-label]')) e.setAttribute('aria-label', W[e.dataset.wordLabel]);
    for (const e of document.querySelectorAll('[data-word-alt]')) e.alt = W[e.dataset.wordAlt];
    for (const e of document.querySelectorAll('[data-page]')) e.href = e.dataset.page + '?lang=' + encodeURIComponent(d.language);
    for (const e of document.querySelectorAll('.tag.suggested')) e.textContent = W.suggested;
    for (const e of document.querySelectorAll('.ui')) { e.lang = d.language; e.dir = d.direction; }
    if (d.widget) { widgetWords = d.widget; tell({ icf: 'language', language: d.language, direction: d.direction, words: d.widget }); }
  }

  // The conversation is in `lang` now: mark the page so, and bring the page's words over to it.
  async function useLanguage(lang, dir) {
    if (!lang) return;
    html.lang = lang;
    html.dir = dir || dirOf(lang);
    if (lang === wordsLang && (widgetWords || !embedded)) return;
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
  async function api(method, path, body, asBlob) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (conv && path.startsWith('/api/conversations/')) headers.Authorization = 'Bearer ' + conv.token;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const slow = setTimeout(() => say(W.sending), 400);
    try {
      for (let attempt = 0; ; attempt++) {
        let res = null, data = null;
        try { res = await fetch(path, init); } catch { /* offline */ }
        if (res && res.ok) { say(''); return asBlob ? res.blob() : res.json(); }
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

  // A paragraph whose names and codes the server isolated (FSI...PDI) gets them as <bdi>, so each
  // keeps its own direction inside a sentence of another script.
  function paragraph(text, dir, tag) {
    const p = el(tag || 'p');
    if (dir) p.dir = dir;
    const parts = text.split(new RegExp(`${FSI}([^${PDI}]*)${PDI}`));
    parts.forEach((part, i) => { if (part) p.append(i % 2 ? el('bdi', null, part) : part); });
    return p;
  }

  // lang/dir: the reply's language and direction; what a person typed keeps its own (dir=auto).
  function bubble(who, text, lang, dir) {
    const div = el('div', 'msg ' + who);
    div.id = 'm' + ++ids;
    if (lang) div.lang = lang;
    const by = el('span', 'vh ui', W[who === 'me' ? 'you' : 'assistant']);
    by.dataset.word = who === 'me' ? 'you' : 'assistant'; // said in the page's language, which may change
    by.lang = wordsLang;
    div.append(by, el('span', 'vh', ': '));
    for (const t of text.split('\n\n')) div.append(paragraph(t, who === 'me' ? 'auto' : dir || dirOf(lang)));
    if (who === 'bot') div.tabIndex = -1; // focus comes here after a reply, so it is read and no Enter lands on a button
    log.append(div);
    return div;
  }

  // The plan lives at a signed address on this site, which the chat asks for once the plan is ready.
  async function planLinks() {
    if (!planLink) planLink = api('POST', `/api/conversations/${conv.id}/plan-link`);
    try { return await planLink; } catch (e) { planLink = null; throw e; }
  }

  function planButtons() {
    const row = el('div', 'plan ui');
    row.lang = wordsLang;
    const open = el('a', 'button primary', W.open_plan), keep = el('a', 'button secondary', W.download_plan);
    open.dataset.word = 'open_plan';
    keep.dataset.word = 'download_plan';
    open.target = '_blank';
    open.rel = 'noopener';
    row.hidden = true;
    row.append(open, keep);
    log.append(row);
    if (!conv) return;
    planLinks().then((p) => { open.href = p.url; keep.href = p.download_url; keep.download = ''; row.hidden = false; })
      .catch((e) => { if (ended(e)) stuck(W.expired); });
  }

  // The review as a summary list: the rows stand in for the sentences that say the same.
  async function summarise(b) {
    let s;
    try { s = await api('GET', `/api/conversations/${conv.id}/review`); } catch { return; }
    const plain = (t) => t.replace(/[\u2068\u2069]/g, ''), said = new Set(s.replaces.map(plain));
    const paras = [...b.querySelectorAll('p')].filter((p) => said.has(p.textContent));
    if (!paras.length || !s.cards.length || !b.isConnected) return;
    const list = el('div', 'summary');
    for (const card of s.cards) {
      const section = el('section', 'summary-card'), h = el('h2', 'card-title', card.title), dl = el('dl', 'summary-list');
      h.id = 'c' + ++ids;
      for (const row of card.rows) {
        const line = el('div', 'summary-row'), dt = el('dt', null, row.key), dd = paragraph(row.value, row.own_words ? 'auto' : '', 'dd');
        dt.id = 'k' + ++ids;
        line.append(dt, dd);
        if (row.change.length) {
          const act = el('dd', 'summary-actions'), c = btn('link-button', W.change, () => change(row.change));
          c.dataset.word = 'change';
          c.setAttribute('aria-describedby', h.id + ' ' + dt.id);
          act.append(c);
          line.append(act);
        }
        dl.append(line);
      }
      section.append(h, dl);
      list.append(section);
    }
    paras[0].before(list);
    for (const p of paras) p.remove();
  }

  // Change one answer from the review: the same choices a person would make, one after another.
  async function change(steps) {
    if (busy || !conv) return;
    busy = true;
    const g = gen;
    let c = null;
    try {
      for (const choice of steps) {
        c = await api('POST', `/api/conversations/${conv.id}/messages`, { choice, client_message_id: newId() });
        const asked = c.replies.length ? c.replies[c.replies.length - 1].choices.map((ch) => ch.id) : [];
        const next = steps[steps.indexOf(choice) + 1];
        if (g !== gen || (next && !asked.includes(next))) break;
      }
      if (g === gen && c) show(c, true);
    } catch (e) {
      if (g === gen) { if (ended(e)) stuck(W.expired, true); else say(W.failed); }
    } finally { if (g === gen) busy = false; }
  }

  function choiceButton(r, ch, toggle) {
    const kind = ch.kind === 'nav' ? 'link-button nav-' + ch.id.slice(1) : toggle ? 'option toggle' : r.multiple && ch.id === 'done' ? 'primary' : 'option';
    const b = btn(kind, null, () => pick(r, ch, toggle, b)), label = el('span', 'label', ch.label);
    b.append(label);
    b.dataset.id = ch.id;
    if (toggle) b.setAttribute('aria-pressed', String(!!ch.selected));
    if (ch.suggested) {
      b.classList.add('is-suggested');
      const tag = el('strong', 'tag suggested', W.suggested);
      tag.lang = wordsLang;
      b.append(' ', tag);
    }
    if (r.step === 'choose_language' && ch.kind === 'answer') { label.lang = ch.id; label.dir = dirOf(ch.id); }
    return b;
  }

  // A consent answer counts only when the whole of it is on screen: otherwise it is brought into view first.
  function pick(r, ch, toggle, b) {
    if (/consent/.test(r.step) && ch.kind === 'answer') {
      const rect = b.getBoundingClientRect();
      if (rect.top < stickyTop() || rect.bottom > innerHeight) { b.scrollIntoView({ block: 'center' }); b.focus({ preventScroll: true }); return; }
    }
    send({ choice: ch.id }, toggle ? null : ch.label, toggle && ch.id, spokenIn(r, ch.id));
  }

  // The language a tapped answer is in: a language's own name is in that language.
  const spokenIn = (r, id) => (r && r.step === 'choose_language' && !id.startsWith('/') ? id : wordsLang);

  function renderChoices(r) {
    last = r;
    const answers = el('div', 'answers'), done = el('div', 'done-row'), nav = [], commands = [];
    for (const ch of (r && r.choices) || []) {
      if (ch.id === '/help') continue; // Help is in the header, on every step
      const toggle = isToggle(r, ch.id), b = choiceButton(r, ch, toggle);
      if (ch.secondary) { // pause, summary, language, delete: in the More menu, not under every question
        b.className = 'link-button';
        b.addEventListener('click', () => showMenu(false));
        const item = el('li');
        item.append(b);
        commands.push(item);
      } else if (ch.kind === 'nav') nav.push(b);
      else (r.multiple && ch.id === 'done' ? done : answers).append(b);
    }
    moreCommands.replaceChildren(...commands);
    const question = latestBot();
    if (question && answers.childElementCount) { answers.setAttribute('role', 'group'); answers.setAttribute('aria-labelledby', question.id); }
    choicesEl.replaceChildren(...[answers, done].filter((d) => d.childElementCount));
    navEl.replaceChildren(...nav);
    const typing = !!(r && r.free_text);
    form.hidden = !typing;
    typeInstead.hidden = typing || !conv || !r || !answers.childElementCount || r.step === 'choose_language';
    if (typing && question) box.setAttribute('aria-describedby', question.id); else box.removeAttribute('aria-describedby');
  }

  const stickyTop = () => (progressEl.offsetHeight && getComputedStyle(progressEl).position === 'sticky' ? progressEl.offsetHeight : 0) + 8;

  // Bring the new reply into view with the person's own last message above it when both fit, and the
  // first thing to answer with below it.
  function reveal(first) {
    const top = stickyTop(), mine = first.previousElementSibling && first.previousElementSibling.classList.contains('me') ? first.previousElementSibling : null;
    const answer = choicesEl.querySelector('button') || (form.hidden ? null : box);
    const at = (e) => scrollY + e.getBoundingClientRect().top - top;
    let y = at(mine || first);
    if (answer && scrollY + answer.getBoundingClientRect().bottom - y > innerHeight - top) y = at(first);
    scrollTo({ top: Math.max(0, y), behavior: reduce.matches ? 'auto' : 'smooth' });
  }

  // Nothing more can be done here: say why and offer a fresh start. What is stored stays until Start again
  // (a reload says the same again; a bad ?resume= link does not lose a conversation kept here).
  function stuck(text, focus) {
    conv = null;
    save();
    renderChoices(null);
    progressEl.textContent = '';
    say(text);
    const b = btn('primary', W.start_again, () => start(true));
    b.dataset.word = 'start_again';
    choicesEl.replaceChildren(b);
    if (focus) b.focus();
  }

  // Show a ConversationOut. focus: false = leave focus alone, true = the new message, string = that toggle.
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
        if (r.step === 'review' && r === end) summarise(b);
        if (r.document && r.document.kind === 'plan') planButtons();
      }
      progressEl.textContent = end.progress || '';
    }
    if (gone) forget(); // the server says "start a new one": Start again is the way on
    renderChoices(end);
    if (typeof focus === 'string') {
      const toggle = choicesEl.querySelector(`[data-id="${CSS.escape(focus)}"]`);
      if (toggle) toggle.focus();
    } else if ((focus || focusWanted) && first) {
      focusWanted = false;
      first.focus({ preventScroll: true });
      reveal(first);
    }
  }

  async function send(body, echo, focusId, lang) {
    if (busy) return true;
    if (!conv) { stuck(W.expired, true); return false; }
    busy = true;
    const g = gen, mine = echo == null ? null : bubble('me', echo, lang || wordsLang);
    body.client_message_id = newId();
    try {
      const c = await api('POST', `/api/conversations/${conv.id}/messages`, body);
      if (g === gen) show(c, focusId || true);
      return true;
    } catch (e) {
      if (g !== gen) return true;
      if (mine) mine.remove();
      if (ended(e)) stuck(W.expired, true); else say(W.failed);
      return false;
    } finally { if (g === gen) busy = false; }
  }

  // Draw the stored history, then bring the last reply back to life: its buttons, progress and language.
  // The log is busy meanwhile, so a screen reader is not read every old message again.
  async function load(focus) {
    const items = await api('GET', `/api/conversations/${conv.id}/messages`);
    log.setAttribute('aria-busy', 'true');
    log.replaceChildren();
    let prev = null, lang = null;
    for (const m of items) {
      const r = m.reply;
      if (m.direction === 'out') {
        if (!sameQuestion(prev, r)) {
          bubble('bot', m.text, m.language, dirOf(m.language));
          if (r && r.document && r.document.kind === 'plan') planButtons();
        }
        prev = r;
        lang = m.language;
      } else if (!m.text.startsWith('/resume') && !isToggle(prev, m.choice)) {
        bubble('me', m.text, m.choice && prev && prev.step === 'choose_language' ? m.choice : m.language);
      }
    }
    progressEl.textContent = (prev && prev.progress) || '';
    renderChoices(prev);
    if (prev && prev.step === 'review' && latestBot()) summarise(latestBot());
    useLanguage(lang);
    log.removeAttribute('aria-busy');
    const latest = latestBot();
    if (latest) {
      if (focus || focusWanted) latest.focus({ preventScroll: true });
      focusWanted = false;
      reveal(latest);
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
      planLink = null;
      save();
      codeIn.value = codeErr.textContent = '';
      codeIn.removeAttribute('aria-invalid');
      showMenu(false);
      useLanguage(c.language, c.direction);
      try { await load(fromForm); } catch { if (g === gen) { log.replaceChildren(); last = null; show(c, fromForm); } }
    } catch (err) {
      if (g === gen) bad(err.status === 404 || err.status === 422 ? W.bad_code : W.failed);
    } finally { if (g === gen) busy = false; }
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
  typeInstead.addEventListener('click', () => { form.hidden = false; typeInstead.hidden = true; box.focus(); });

  // From the newest question, Tab goes first to the suggested answer when there is one.
  log.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.shiftKey || e.target !== latestBot()) return;
    const suggested = choicesEl.querySelector('.is-suggested');
    if (suggested) { e.preventDefault(); suggested.focus(); }
  });

  // The More menu: hand-off, a copy of the answers, a resume code, starting again.
  function showMenu(open) {
    menu.hidden = !open;
    more.setAttribute('aria-expanded', String(open));
  }
  more.addEventListener('click', () => {
    showMenu(menu.hidden);
    if (!menu.hidden) (menu.querySelector('button:not([hidden])') || codeIn).focus();
  });
  menu.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); showMenu(false); more.focus(); } });
  help.addEventListener('click', () => send({ choice: '/help' }, W.help));

  restart.addEventListener('click', () => { if (conv) restartDlg.showModal(); else start(true); });
  restartDlg.addEventListener('close', () => {
    const choice = restartDlg.returnValue;
    restartDlg.returnValue = '';
    showMenu(false);
    if (choice === 'restart') start(true);
    else if (choice === 'pause') send({ choice: '/pause' }, W.restart_pause);
    else more.focus();
  });

  resumeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!busy) resume(codeIn.value.trim(), true);
  });

  // Everything this conversation holds about the person, as a file they keep.
  saveCopy.addEventListener('click', async () => {
    if (!conv) return;
    try {
      const data = await api('GET', `/api/conversations/${conv.id}/export`, undefined, true);
      const a = el('a');
      a.href = URL.createObjectURL(data);
      a.download = 'icf-my-answers.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    } catch (e) { if (ended(e)) stuck(W.expired, true); else say(W.failed); }
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
      if (ended(e)) stuck(W.expired, true); else say(W.failed);
    }
  });
  dlg.addEventListener('close', () => { showMenu(false); more.focus(); });

  if (embedded) {
    // The partner's page cannot hear keys pressed in here: Escape closes the widget (unless a dialog or
    // the menu takes it), and the page tells us when the panel opens, to put focus where the person is.
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !dlg.open && !restartDlg.open) tell({ icf: 'close' });
    });
    addEventListener('message', (e) => {
      if (e.source !== parent || (host !== '*' && e.origin !== host) || !e.data || e.data.icf !== 'focus') return;
      const latest = latestBot();
      if (latest) latest.focus({ preventScroll: true }); else focusWanted = true; // the first message is on its way
    });
    tell({ icf: 'ready' });
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
    load(false).catch((e) => { if (ended(e)) stuck(W.expired); else say(W.failed); });
  }
  if (embedded) useLanguage(html.lang, html.dir); // the widget's own words follow this page's language
})();
