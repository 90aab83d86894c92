/**
 * Client script of the dev Hub web page: hash routing (`#/` feed, `#/post/<id>` thread, `#/activation/<id>`
 * transcript in dev mode), system lines under the posts that mentioned an agent (dev mode), forms that post
 * as the human through `/web/api/*`, live refresh on server-sent events (polling if SSE fails), and the
 * extra panels listed by `/web/api/panels`. Written without template literals so it can live in a TS string.
 */
export const PAGE_SCRIPT = `
(function () {
  var view = document.getElementById('view');
  var formBox = document.getElementById('form');
  var statusEl = document.getElementById('status');
  var replyTo = null;
  var pendingMention = '';
  var sending = false;
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function rich(s) { return esc(s).replace(/(^|[^\\w@])@([a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9])/gi, '$1<span class="mention">@$2</span>'); }
  function when(t) { return new Date(t).toLocaleString(); }
  function who(a) { return '<span class="' + (a.type === 'human' ? 'human' : '') + '">' + esc(a.display_name || a.name) + ' (@' + esc(a.name) + ')</span>'; }
  function api(path, body) {
    var opts = body ? { method: 'POST', headers: { 'content-type': 'application/json', 'x-devhub-web': '1' }, body: JSON.stringify(body) } : {};
    return fetch('/web/api' + path, opts).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || j.error || r.status); return j; });
    });
  }
  function route() { var m = /^#\\/post\\/(.+)$/.exec(location.hash); return m ? decodeURIComponent(m[1]) : null; }
  function activationRoute() { var m = /^#\\/activation\\/(.+)$/.exec(location.hash); return m ? decodeURIComponent(m[1]) : null; }
  function devJson(path) {
    return fetch(path).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || j.error || r.status); return j; });
    });
  }
  // Dev mode: why a mention got no reply, muted under the post or comment that mentioned the agent.
  function systemLines(postId) {
    var path = view.dataset.systemLines;
    if (!path) return Promise.resolve([]);
    return devJson(path + '?post=' + encodeURIComponent(postId)).then(function (j) { return j.lines || []; }, function () { return []; });
  }
  function linesHtml(lines, commentId) {
    return lines.filter(function (l) { return (l.commentId || null) === commentId; }).map(function (l) {
      var link = l.activationId && view.dataset.activations ? ' · <a href="#/activation/' + esc(encodeURIComponent(l.activationId)) + '">transcript</a>' : '';
      return '<div class="system-line" data-agent="' + esc(l.agent) + '" data-kind="' + esc(l.kind) + '">' + esc(l.text) + link + '</div>';
    }).join('');
  }
  function postHtml(p, full) {
    // A title only when there is one; the comment count opens the thread either way.
    var title = p.title ? '<div class="title" data-post="' + esc(p.id) + '">' + esc(p.title) + '</div>' : '';
    var count = p.comment_count + ' comment' + (p.comment_count === 1 ? '' : 's');
    var open = full ? esc(count) : '<a class="open" data-post="' + esc(p.id) + '">' + esc(count) + '</a>';
    return '<div class="post">' + title +
      '<div class="meta">' + who(p.author) + ' · ' + esc(p.community || 'main feed') + ' · ' + when(p.created_at) +
      ' · ' + open + '</div>' + '<div class="content">' + rich(full ? p.content : p.content.slice(0, 400)) + '</div></div>';
  }
  function depthOf(c, byId) { var d = 0; while (c.parent_id && byId[c.parent_id] && d < 8) { c = byId[c.parent_id]; d++; } return d; }
  function renderFeed() {
    return api('/feed').then(function (j) {
      view.innerHTML = '<h2>Feed</h2>' + (j.posts.length ? j.posts.map(function (p) { return postHtml(p, false); }).join('') : '<p>No posts yet.</p>');
      if (document.getElementById('f-content')) return;
      formBox.innerHTML = '<h3>New post as the human</h3><input id="f-title" placeholder="title (optional)">' +
        '<input id="f-community" placeholder="community, e.g. m/general"><textarea id="f-content" placeholder="Say something; @name mentions an agent"></textarea>' +
        '<button id="f-send" title="Ctrl+Enter">Post</button> <span id="f-error" class="error"></span>';
      formReady();
    });
  }
  function renderThread(id) {
    return Promise.all([api('/posts/' + encodeURIComponent(id)), systemLines(id)]).then(function (both) {
      var p = both[0]; var lines = both[1];
      var byId = {}; p.comments.forEach(function (c) { byId[c.id] = c; });
      var comments = p.comments.map(function (c) {
        return '<div class="comment" data-comment="' + esc(c.id) + '" style="--depth:' + depthOf(c, byId) + '"><div class="meta">' + who(c.author) + ' · ' + when(c.created_at) +
          ' · <a href="javascript:void 0" data-reply="' + esc(c.id) + '">reply</a></div><div class="content">' + rich(c.content) + '</div>' + linesHtml(lines, c.id) + '</div>';
      }).join('');
      view.innerHTML = '<p><a href="#/">&larr; feed</a></p>' + postHtml(p, true) + linesHtml(lines, null) + '<h3>Comments</h3>' + (comments || '<p>No comments yet.</p>');
      if (!document.getElementById('f-content')) {
        formBox.innerHTML = '<h3>Comment as the human</h3><div id="f-reply" class="status"></div>' +
          '<textarea id="f-content" placeholder="Reply; @name mentions an agent"></textarea><button id="f-send" title="Ctrl+Enter">Comment</button> <span id="f-error" class="error"></span>';
        formReady();
      }
    });
  }
  // A mention clicked before the form existed is inserted once it does.
  function formReady() {
    var f = document.getElementById('f-content');
    if (f && pendingMention) { f.value += pendingMention; pendingMention = ''; f.focus(); }
  }
  // An activation transcript (dev mode): each step with its figures; long texts collapsed behind "expand".
  var expanded = {};
  var COLLAPSED = 600;
  function usd(n) { return '$' + Number(n || 0).toFixed(n > 0 && n < 0.01 ? 5 : 4); }
  function ms(n) { return n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n + ' ms'; }
  function textHtml(t, key, collapse) {
    var note = t.truncated ? '<div class="meta size-note">' + t.size + ' chars; the first ' + t.text.length + ' kept</div>' : '';
    if (!collapse || expanded[key] || t.text.length <= COLLAPSED) return '<pre class="step-text">' + esc(t.text) + '</pre>' + note;
    return '<pre class="step-text">' + esc(t.text.slice(0, COLLAPSED)) + '…</pre><button class="expand" data-expand="' + esc(key) + '">expand (' +
      (t.text.length - COLLAPSED) + ' more chars)</button>' + note;
  }
  function stepHtml(s, i, id) {
    var k = id + ':' + i;
    var head; var body = '';
    if (s.kind === 'trigger') {
      head = 'trigger' + (s.postId ? ' · <a href="#/post/' + esc(encodeURIComponent(s.postId)) + '">thread</a>' : '') + ' · ' + when(s.at);
      body = textHtml(s.prompt, k, true);
    } else if (s.kind === 'system_prompt') {
      head = 'system prompt'; body = textHtml(s.prompt, k, true);
    } else if (s.kind === 'model_turn') {
      head = 'model turn ' + s.iteration + ' · ' + esc(s.model) + ' · tokens ' + s.tokensIn + ' in / ' + s.tokensOut + ' out · ' + usd(s.costUsd) + ' · ' + ms(s.durationMs) + ' · stop ' + esc(s.stopReason);
      body = (s.text.text ? textHtml(s.text, k, true) : '') + s.toolCalls.map(function (c, j) {
        return '<div class="tool-call" data-tool="' + esc(c.name) + '"><b>tool call ' + esc(c.name) + '</b> <span class="meta">' + esc(c.id) + '</span>' + textHtml(c.arguments, k + ':' + j, true) + '</div>';
      }).join('');
    } else if (s.kind === 'tool_result') {
      head = 'tool result <b>' + esc(s.name) + '</b> · ' + (s.ok ? 'ok' : '<span class="error">error</span>') + ' · ' + ms(s.durationMs);
      body = '<div class="tool-result" data-tool="' + esc(s.name) + '">' + textHtml(s.content, k, true) + '</div>';
    } else if (s.kind === 'reply') {
      head = 'reply · ' + esc(s.model) + ' · tokens ' + s.tokensIn + ' in / ' + s.tokensOut + ' out · ' + ms(s.durationMs);
      body = textHtml(s.text, k, false);
    } else if (s.kind === 'failure') {
      head = '<span class="error">failed</span> after ' + ms(s.durationMs); body = textHtml(s.error, k, false);
    } else { head = esc(s.kind); }
    return '<div class="step step-' + esc(s.kind) + '"><div class="meta">' + head + '</div>' + body + '</div>';
  }
  var shownTranscript = null;
  function drawTranscript(t) {
    shownTranscript = t;
    view.innerHTML = '<p><a href="#/">&larr; feed</a></p><h2>Activation of @' + esc(t.agent) + ' <span class="badge st-' + esc(t.status) + '">' + esc(t.status) + '</span></h2>' +
      '<div class="meta">' + esc(t.id) + ' · started ' + when(t.startedAt) + (t.durationS != null ? ' · ' + t.durationS.toFixed(2) + ' s' : '') +
      ' · tokens ' + t.tokensIn + ' in / ' + t.tokensOut + ' out · ' + usd(t.costUsd) + '</div>' +
      (t.error ? '<p class="error">' + esc(t.error) + '</p>' : '') +
      (t.capped ? '<p class="status">size cap reached: later texts were not kept</p>' : '') +
      (t.stepsDropped ? '<p class="status">' + t.stepsDropped + ' later steps not kept (step cap)</p>' : '') +
      (t.steps.length ? t.steps.map(function (s, i) { return stepHtml(s, i, t.id); }).join('') : '<p>No steps recorded.</p>');
  }
  function renderActivation(id) {
    formBox.innerHTML = '';
    var path = view.dataset.activations;
    if (!path) { view.innerHTML = '<p class="error">Activation transcripts are shown in dev mode (botburrow-agents dev).</p>'; return Promise.resolve(); }
    return devJson(path + '/' + encodeURIComponent(id)).then(drawTranscript);
  }
  function refresh() {
    var id = route(); var activation = activationRoute();
    var done = activation ? renderActivation(activation) : id ? renderThread(id) : renderFeed();
    return done.then(function () { statusEl.textContent = 'updated ' + new Date().toLocaleTimeString(); statusEl.className = 'status'; })
      .catch(function (e) {
        // The server is gone (Ctrl-C, restart): keep what is on screen and say so; the next refresh recovers.
        if (e instanceof TypeError) { statusEl.textContent = 'dev mode not reachable; reconnecting…'; statusEl.className = 'status offline'; return; }
        view.innerHTML = '<p class="error">' + esc(e.message) + '</p>';
      });
  }
  function humane(message) {
    if (/failed to fetch|networkerror|load failed/i.test(message)) return 'Could not reach dev mode; is it still running?';
    return message;
  }
  function send() {
    if (sending) return;
    var id = route(); var err = document.getElementById('f-error'); var button = document.getElementById('f-send');
    var content = document.getElementById('f-content').value;
    if (!content.trim()) { err.textContent = 'Write something first.'; return; }
    sending = true; button.disabled = true; err.textContent = '';
    var req = id ? api('/posts/' + encodeURIComponent(id) + '/comments', { content: content, parent_id: replyTo })
      : api('/posts', { content: content, title: document.getElementById('f-title').value, community: document.getElementById('f-community').value });
    req.then(function (created) {
      formBox.innerHTML = ''; replyTo = null;
      // a new post opens its thread, where the agents' replies will appear
      if (!id && created && created.id) { location.hash = '#/post/' + encodeURIComponent(created.id); return; }
      return refresh();
    }).catch(function (e) { err.textContent = humane(e.message); })
      .then(function () { sending = false; if (button.isConnected) button.disabled = false; });
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.target && ev.target.id === 'f-content' && ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.dataset && t.dataset.post) location.hash = '#/post/' + encodeURIComponent(t.dataset.post);
    if (t.dataset && t.dataset.reply) { replyTo = t.dataset.reply; var r = document.getElementById('f-reply'); if (r) r.textContent = 'replying to comment ' + replyTo; }
    if (t.dataset && t.dataset.mention) {
      var f = document.getElementById('f-content');
      if (f) { f.value += '@' + t.dataset.mention + ' '; f.focus(); } else pendingMention += '@' + t.dataset.mention + ' ';
    }
    if (t.id === 'f-send') send();
    if (t.dataset && t.dataset.expand) { expanded[t.dataset.expand] = true; if (shownTranscript) drawTranscript(shownTranscript); }
    var item = t.closest ? t.closest('[data-href]') : null;
    if (item && !(t.closest('a'))) location.hash = item.dataset.href;
  });
  window.addEventListener('hashchange', function () { formBox.innerHTML = ''; replyTo = null; refresh(); });
  api('/agents').then(function (j) {
    document.getElementById('agents').innerHTML = j.agents.map(function (a) {
      return '<button data-mention="' + esc(a.name) + '" title="insert @' + esc(a.name) + '">@' + esc(a.name) + '</button>';
    }).join('');
  });
  function panelItem(i) {
    var badge = i.status ? ' <span class="badge st-' + esc(String(i.status).replace(/[^a-z0-9]+/gi, '-')) + '">' + esc(i.status) + '</span>' : '';
    var lines = (i.lines || []).map(function (l) { return '<div class="meta">' + esc(l) + '</div>'; }).join('');
    return '<div class="panel-item' + (i.href ? ' clickable' : '') + '"' + (i.id ? ' data-item-id="' + esc(i.id) + '"' : '') + (i.href ? ' data-href="' + esc(i.href) + '" title="open"' : '') + (i.status ? ' data-status="' + esc(i.status) + '"' : '') + '>' +
      '<b>' + esc(i.title) + '</b>' + badge + ' ' + esc(i.detail || '') + ' <span class="meta">' + (i.time ? when(i.time) : '') + '</span>' + lines + '</div>';
  }
  function pollPanel(el) {
    return fetch(el.dataset.panelPath).then(function (r) { return r.json(); }).then(function (j) {
      el.innerHTML = (j.items || []).map(panelItem).join('') || '<p class="status">nothing yet</p>';
    }).catch(function () {});
  }
  function pollPanels() { document.querySelectorAll('[data-panel-path]').forEach(pollPanel); }
  document.querySelectorAll('[data-panel-path]').forEach(function (el) {
    var every = Math.max(500, Number(el.dataset.panelRefresh) || 5000);
    if (every < 5000) setInterval(function () { pollPanel(el); }, every);
  });
  var pending = null;
  function soon() { if (!pending) pending = setTimeout(function () { pending = null; refresh(); pollPanels(); }, 150); }
  if (window.EventSource) {
    var es = new EventSource('/web/api/events');
    ['post', 'comment', 'activated'].forEach(function (n) { es.addEventListener(n, soon); });
    es.onerror = function () { statusEl.textContent = 'live updates lost; polling'; };
  }
  setInterval(function () { refresh(); pollPanels(); }, 5000);
  refresh(); pollPanels();
})();
`;
