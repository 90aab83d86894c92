/**
 * The offline brain's "thinking": parse the activation prompt (see `activation/prompts.ts`), pick search keywords,
 * and compose a deterministic answer from a few built-in notes, the search results and the thread's text.
 */

/** What the offline brain reads from an inbox prompt. */
export interface ParsedPrompt {
  kind: 'inbox' | 'discovery' | 'other';
  /** `@name` of whoever mentioned or replied to the agent. */
  asker: string | undefined;
  /** The notification's text (its `<hub_item kind="notification">` block). */
  question: string;
  /** The thread's post id, when the prompt includes the thread. */
  postId: string | undefined;
  /** The thread's comment blocks, oldest first, as `@author: text`. */
  comments: string[];
}

/** A Hub search result as the `hub_search` tool returns it. */
export interface SearchHit {
  id: string;
  author: string;
  title: string | null;
  content: string;
}

const NOTES: readonly { terms: readonly string[]; text: string }[] = [
  {
    terms: ['circuit breaker', 'circuit-breaker'],
    text:
      'A circuit breaker stops calling a dependency that keeps failing. After a run of failures it "opens" and ' +
      'fails fast for a cool-down period; then it lets one trial call through ("half-open") and closes again if ' +
      'that succeeds. It protects the struggling service and keeps the caller responsive.',
  },
  {
    terms: ['retry', 'retries', 'backoff'],
    text:
      'Retry only what is safe to repeat (idempotent calls), with exponential backoff and jitter so clients do not ' +
      'retry in lockstep, and cap the attempts so a dead dependency does not multiply the load.',
  },
  {
    terms: ['idempotency', 'idempotent'],
    text:
      'An idempotent operation has the same effect whether it runs once or many times. Idempotency keys let a ' +
      'server recognise a retried request and return the first result instead of doing the work twice.',
  },
  {
    terms: ['queue', 'queues'],
    text:
      'A work queue decouples producers from consumers: producers enqueue, workers claim items under a lease and ' +
      'acknowledge them when done, so work survives a crashed worker (at-least-once delivery).',
  },
  {
    terms: ['leader election', 'leader'],
    text:
      'Leader election picks one replica to do singleton work. A lease with a fencing token makes sure an old ' +
      'leader that lost its lease cannot keep acting as if it still led.',
  },
  {
    terms: ['cache', 'caching'],
    text:
      'A cache keeps recent answers close to the caller. The hard parts are invalidation and staleness: choose a ' +
      'TTL the data can tolerate and decide what happens when the cache is cold.',
  },
  {
    terms: ['rate limit', 'rate limiting', 'rate-limit'],
    text:
      'Rate limiting caps how fast a client may call a service, usually with a token bucket: requests spend ' +
      'tokens, tokens refill at a fixed rate, and a request without a token waits or is refused (HTTP 429).',
  },
];

const STOPWORDS = new Set(
  (
    'a an the is are was were be been what whats who how why when where which can could would should do does did ' +
    'i you we they it this that these those me my your our of to in on for with about and or but if please tell ' +
    'explain know think any some there here hi hello hey thanks thank'
  ).split(' '),
);

/** One `<hub_item …>` block of a prompt: its header attributes (unescaped) and its text. */
export interface HubItemBlock {
  attrs: Record<string, string>;
  text: string;
}

const unescapeAttribute = (v: string): string =>
  v.replace(/&(amp|lt|gt|quot|#\d+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : String.fromCharCode(+e.slice(1)),
  );

/**
 * The `<hub_item>` blocks of a prompt built by `inboxPrompt` / `discoveryPrompt`, in order. Block text cannot hold
 * a real `</hub_item` (the prompt builder neutralises it), so the first closing line ends the block.
 */
export function parseHubItems(prompt: string): HubItemBlock[] {
  const blocks: HubItemBlock[] = [];
  for (const m of prompt.matchAll(/^<hub_item((?: [a-z_]+="[^"]*")*)>\n([\s\S]*?)\n<\/hub_item>$/gm)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) attrs[a[1]!] = unescapeAttribute(a[2]!);
    blocks.push({ attrs, text: m[2] ?? '' });
  }
  return blocks;
}

/** Parse a prompt built by `inboxPrompt` / `discoveryPrompt`; anything else is `kind: 'other'`. */
export function parsePrompt(prompt: string): ParsedPrompt {
  const first = prompt.split('\n', 1)[0] ?? '';
  const head = /(@[a-z0-9-]+) (?:mentioned you|replied to you):/i.exec(first);
  const kind = head ? 'inbox' : /looking for posts where you can contribute/.test(first) ? 'discovery' : 'other';
  const items = parseHubItems(prompt);
  const question = (items.find((b) => b.attrs.kind === 'notification')?.text ?? '').trim();
  const postId = kind === 'inbox' ? items.find((b) => b.attrs.kind === 'post')?.attrs.id : undefined;
  const comments = items
    .filter((b) => b.attrs.kind === 'comment')
    .map((b) => `${b.attrs.author ?? '@unknown'}: ${b.text}`);
  return { kind, asker: head?.[1], question: question || prompt.slice(0, 300), postId, comments };
}

/**
 * Defuse every `@name` so the Hub does not read it as a mention: a zero-width space goes between the `@` and the
 * name (`@\u200Bresearcher`). It still reads as `@researcher`, but no longer notifies anyone. Idempotent.
 */
export function defangMentions(text: string): string {
  return text.replace(/@(?=[\p{L}\p{N}_])/gu, '@\u200B');
}

/** The built-in note matching the text, if any. */
export function findNote(text: string): { term: string; text: string } | undefined {
  const lower = text.toLowerCase();
  for (const note of NOTES) {
    const term = note.terms.find((t) => new RegExp(`\\b${t}\\b`).test(lower));
    if (term) return { term, text: note.text };
  }
  return undefined;
}

/** Search keywords for a question: a known topic when there is one, else its first few meaningful words. */
export function keywordsOf(question: string): string {
  const note = findNote(question);
  if (note) return note.term;
  const words = question
    .toLowerCase()
    .replace(/@\u200B?[a-z0-9-]+/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^a-z0-9-]+/)
    .filter((w) => w.length > 2 && !STOPWORDS.has(w));
  return [...new Set(words)].slice(0, 3).join(' ');
}

/** Parse the JSON text of a `hub_search` result; [] when it is an error or not a list. */
export function parseSearchHits(content: string): SearchHit[] {
  try {
    const value: unknown = JSON.parse(content);
    return Array.isArray(value) ? (value as SearchHit[]).filter((h) => typeof h?.id === 'string') : [];
  } catch {
    return [];
  }
}

const quote = (text: string, max = 90): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
};

/**
 * The final answer: greeting, a note (or what the thread says), what the search found, and the footer. It never
 * mentions anyone: every `@name` in it goes through {@link defangMentions}.
 */
export function composeAnswer(
  parsed: ParsedPrompt,
  search: { query: string; hits: SearchHit[] } | undefined,
  footer: string,
): string {
  const note = findNote(parsed.question);
  const parts: string[] = [];
  const hello = parsed.asker ? `${parsed.asker}, ` : '';
  if (note) parts.push(`${hello}here is the short version on ${note.term}:`, note.text);
  else {
    parts.push(
      `${hello}I am running without a language model, so I cannot really think about ${quote(parsed.question)}.`,
    );
    const last = parsed.comments.at(-1);
    parts.push(
      last
        ? `This thread has ${parsed.comments.length} comment(s) so far; the latest is ${quote(last)}.`
        : 'This thread has no comments yet besides your question.',
    );
  }
  if (search) {
    const others = search.hits.filter((h) => h.id !== parsed.postId);
    parts.push(
      others.length === 0
        ? `I searched the Hub for "${search.query}" and found no other posts about it yet.`
        : `I searched the Hub for "${search.query}" and found ${others.length} other post(s), e.g. ` +
            others
              .slice(0, 2)
              .map((h) => `${quote(h.title || h.content, 60)} by @${h.author}`)
              .join('; ') +
            '.',
    );
  }
  parts.push(footer);
  // Quoted thread text and search hits carry other agents' @names; repeating them would mention those agents
  // again and keep two agents answering each other forever.
  return defangMentions(parts.join('\n\n'));
}
