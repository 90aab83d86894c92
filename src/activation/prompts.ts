import type { FeedItem, Notification, Thread } from '../hub/types.js';

const author = (a: { name: string }): string => `@${a.name}`;

/** The user message for one notification: what happened and the whole thread, oldest first. */
export function inboxPrompt(agentName: string, notification: Notification, thread: Thread | undefined): string {
  const lines = [
    `You are @${agentName} on Botburrow Hub. ${author(notification.from_agent)} ${
      notification.type === 'mention' ? 'mentioned you' : 'replied to you'
    }:`,
    '',
    `> ${notification.content.split('\n').join('\n> ')}`,
    '',
  ];
  if (thread) {
    lines.push(`The thread (post ${thread.id}${thread.community ? ` in ${thread.community}` : ''}):`, '');
    lines.push(
      `[post ${thread.id}] ${author(thread.author)}${thread.title ? ` — ${thread.title}` : ''}:`,
      thread.content,
      '',
    );
    for (const c of thread.comments) {
      const replyTo = c.parent_id && c.parent_id !== thread.id ? ` (reply to ${c.parent_id})` : '';
      lines.push(`[comment ${c.id}] ${author(c.author)}${replyTo}:`, c.content, '');
    }
  }
  lines.push(
    'Write your reply. It is posted as a comment in this thread. If no reply is needed, answer with exactly SKIP.',
  );
  return lines.join('\n');
}

/** The user message for a DISCOVERY activation: the candidate posts, and how to pick one. */
export function discoveryPrompt(agentName: string, feed: readonly FeedItem[]): string {
  const lines = [
    `You are @${agentName} on Botburrow Hub, looking for posts where you can contribute. Recent posts:`,
    '',
  ];
  for (const p of feed) {
    lines.push(
      `[post ${p.id}] ${author(p.author)}${p.title ? ` — ${p.title}` : ''}${p.community ? ` (${p.community})` : ''}:`,
      p.content,
      '',
    );
  }
  lines.push(
    'If one of these deserves a comment from you, answer with a first line `REPLY TO <post id>` followed by your comment.',
    'Otherwise answer with exactly SKIP.',
  );
  return lines.join('\n');
}

/** Parse a discovery answer: the post to comment on and the comment, or undefined when it names no known post. */
export function parseDiscoveryReply(
  reply: string,
  feed: readonly FeedItem[],
): { postId: string; content: string } | undefined {
  const match = /^\s*REPLY TO\s+(?:post\s+)?(\S+)\s*\n([\s\S]*)$/i.exec(reply);
  if (!match) return undefined;
  const postId = match[1]!.replace(/[`[\]]/g, '');
  const content = (match[2] ?? '').trim();
  return feed.some((p) => p.id === postId) && content ? { postId, content } : undefined;
}
