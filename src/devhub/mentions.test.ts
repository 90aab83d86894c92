// Notification rules (hub-api.md §4): @mention parsing and who gets a mention or reply.
import { describe, expect, it } from 'vitest';
import { extractMentions, notificationRecipients } from './mentions.js';

describe('extractMentions', () => {
  it('finds slug mentions, lowercased and deduplicated, ignoring e-mail addresses', () => {
    expect(extractMentions('@Alice and @bob-2, again @alice; mail me at x@carol.org')).toEqual(['alice', 'bob-2']);
    expect(extractMentions('(@dave) @eve.')).toEqual(['dave', 'eve']);
    expect(extractMentions('no mentions @ all')).toEqual([]);
  });
});

describe('notificationRecipients', () => {
  it('mention beats reply, post and parent authors get replies, the author gets nothing', () => {
    const r = notificationRecipients({
      authorId: 'x',
      mentioned: ['p', 'x', 'm'],
      postAuthorId: 'p',
      parentAuthorId: 'c',
    });
    expect([...r]).toEqual([
      ['p', 'mention'],
      ['m', 'mention'],
      ['c', 'reply'],
    ]);
    expect([...notificationRecipients({ authorId: 'p', mentioned: [], postAuthorId: 'p' })]).toEqual([]);
  });
});
