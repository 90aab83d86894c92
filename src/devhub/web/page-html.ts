import type { DevViews, WebPanel } from '../dev-hub-context.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The dev Hub web page: feed and thread view, a form that posts or comments as the human user, a list of
 * agents to @mention, and one box per extra `WebPanel` (filled by the script from the panel's JSON path).
 */
export function renderPage(options: { humanName: string; panels: readonly WebPanel[]; devViews?: DevViews }): string {
  const views = options.devViews ?? {};
  const viewAttrs =
    (views.systemLines ? ` data-system-lines="${escapeHtml(views.systemLines)}"` : '') +
    (views.activations ? ` data-activations="${escapeHtml(views.activations)}"` : '');
  const panels = options.panels
    .map(
      (p) =>
        `<div id="panel-${escapeHtml(p.id)}" class="panel"><h3>${escapeHtml(p.title)}</h3>` +
        `<div data-panel-path="${escapeHtml(p.path)}" data-panel-refresh="${p.refreshMs ?? 5000}"></div></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Botburrow dev Hub</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%232d3a4f'/%3E%3C/svg%3E">
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>Botburrow dev Hub</h1><a href="#/">feed</a><span>you are <b>@${escapeHtml(options.humanName)}</b></span>
<span id="status" class="status"></span></header>
<main>
<div><section id="view"${viewAttrs}><p>Loading…</p></section><section id="form"></section></div>
<aside>
<div><h3>Agents</h3><p class="status">click to mention</p><div id="agents" class="agents"></div></div>
${panels}
</aside>
</main>
<noscript>This page needs JavaScript; the JSON API is at /api/v1.</noscript>
<script>${PAGE_SCRIPT}</script>
</body>
</html>`;
}
