// Child process for kill.test.ts: claims one item as runner `victim`, keeps its lease alive with heartbeats,
// prints `claimed <work id>` and waits to be SIGKILLed. Usage: node --import tsx kill-child.fixture.ts <url> <prefix>
import { RedisStore } from './redis-store.js';

const [url, keyPrefix] = process.argv.slice(2);
const store = await RedisStore.create({ url: url!, keyPrefix: keyPrefix! });
const claim = await store.claim(['high', 'normal', 'low'], { runnerId: 'victim', leaseMs: 3000, blockMs: 10_000 });
if (!claim) {
  process.stdout.write('nothing\n');
  process.exit(1);
}
setInterval(() => void store.extendLease(claim, 3000), 300);
process.stdout.write(`claimed ${claim.item.id}\n`);
