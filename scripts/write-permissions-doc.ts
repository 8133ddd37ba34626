/** Writes docs/permissions.md from the permissions table of the code (`npm run docs:permissions`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPermissionsMarkdown } from '../src/model/required-permissions.js';

const file = fileURLToPath(new URL('../docs/permissions.md', import.meta.url));
writeFileSync(file, renderPermissionsMarkdown());
console.error(`Wrote ${file}`);
