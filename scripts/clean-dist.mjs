// Removes the package's dist/ before a build, so nothing stale is packed.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
