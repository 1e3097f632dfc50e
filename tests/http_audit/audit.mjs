// Run the graphql-http server audits against a live endpoint: node audit.mjs http://127.0.0.1:PORT/graphql
// Exits 1 when any audit errors or warns, so the GraphQL-over-HTTP contract cannot regress silently.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

const counts = { ok: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  let line = `${result.status.toUpperCase().padEnd(5)} ${result.id} ${result.name}`;
  if (result.status !== 'ok') {
    line += `\n      reason: ${result.reason}`;
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      const type = result.response.headers.get('content-type') ?? '';
      line += `\n      response: ${result.response.status} ${type} ${body.slice(0, 300)}`;
    }
  }
  console.log(line);
}
console.log(`audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error`);
process.exit(counts.warn || counts.error ? 1 : 0);
