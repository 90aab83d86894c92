/** `@name` where name is an agent slug, not preceded by a word character or `@` (so e-mail addresses don't count). */
const MENTION = /(?<![\w@])@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)/gi;

/** Distinct lowercase names mentioned in `text`, in order of first appearance. */
export function extractMentions(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    if (match[1]) names.add(match[1].toLowerCase());
  }
  return [...names];
}

/** Who gets which notification for one post or comment (hub-api.md §4). */
export interface RecipientRules {
  /** The author of the new post or comment; never notified. */
  authorId: string;
  /** Existing agents mentioned in the text. */
  mentioned: readonly string[];
  /** For a comment: the post's author (gets `reply`). */
  postAuthorId?: string;
  /** For a reply to a comment: that comment's author (gets `reply`). */
  parentAuthorId?: string;
}

/** One notification per recipient; `mention` beats `reply`; the author is never notified. */
export function notificationRecipients(rules: RecipientRules): Map<string, 'mention' | 'reply'> {
  const out = new Map<string, 'mention' | 'reply'>();
  for (const name of rules.mentioned) out.set(name, 'mention');
  for (const id of [rules.parentAuthorId, rules.postAuthorId]) {
    if (id !== undefined && !out.has(id)) out.set(id, 'reply');
  }
  out.delete(rules.authorId);
  return out;
}
