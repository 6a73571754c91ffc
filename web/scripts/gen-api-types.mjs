// The dashboard's API types, generated from the OpenAPI document with openapi-typescript:
//   node web/scripts/gen-api-types.mjs <openapi.json> <out.ts>
// scripts/gen-openapi writes web/src/api/schema.gen.ts with it; scripts/test (suite
// openapi) writes a fresh copy under test-output/ and fails when the committed one differs.
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const HEADER = `// GENERATED FILE: do not edit. Made from openapi.json by openapi-typescript
// (web/scripts/gen-api-types.mjs); to change it, change the API's Rust types and run
// scripts/gen-openapi, which regenerates openapi.json and this file.
// web/src/api/types.ts gives the dashboard its names for these shapes.

`;

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/gen-api-types.mjs <openapi.json> <out.ts>');
  process.exit(2);
}

// Parse first so a truncated or empty document fails here with a plain message.
const document = JSON.parse(await readFile(input, 'utf8'));
const ast = await openapiTS(document, {
  cwd: pathToFileURL(input),
  // `details` of an audit event is an object with any keys: `unknown`, not `{}`.
  emptyObjectsUnknown: true,
  enumValues: true,
  silent: true,
});
await writeFile(output, HEADER + astToString(ast));
