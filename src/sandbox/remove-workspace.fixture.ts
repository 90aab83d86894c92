// Child process for workspace.test.ts: removes a session's folders as the (non-root) user it runs as and prints the
// log lines. Usage: node --import tsx remove-workspace.fixture.ts <root>
import { createLogger } from '../observability/logger.js';
import { removeWorkspace } from './workspace.js';

const root = process.argv[2]!;
const logger = createLogger({ level: 'DEBUG' });
await removeWorkspace({ root, workspace: `${root}/workspace`, runtime: `${root}/runtime` }, false, logger);
