// PostGraphile 5 over the bench's PostgreSQL database, for scripts/bench/list_units.py (which starts it).
//
//   DATABASE_URL=postgres://... PORT=5678 node server.mjs
//
// The amber preset, the `public` schema (where Courtyard's tables are), grafserv on node:http. POST /graphql
// runs queries; GET /healthz answers 200 once the schema is built; GET /statements gives the number of SQL
// statements sent so far (the bench reads it around one request). No JWT, no roles, no RLS: every request runs
// as the URL's user. A benchmark leg only, never part of the app.
import { createServer } from "node:http";

import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const connectionString = process.env.DATABASE_URL;
const port = Number(process.env.PORT);
if (!connectionString || !port) {
  console.error("DATABASE_URL and PORT are required");
  process.exit(2);
}

let statements = 0;
/** A pg client that counts what it sends (one integer increment per query). */
class CountingClient extends pg.Client {
  query(...args) {
    statements += 1;
    return super.query(...args);
  }
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      // The same pool size as the other two servers (Tortoise's and the baseline's asyncpg pools: 5).
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? 5), Client: CountingClient },
    }),
  ],
  grafserv: { port, host: "127.0.0.1", graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
await pgl.getSchema(); // introspect and build before answering /healthz
const handle = serv.createHandler();

const server = createServer((req, res) => {
  if (req.method === "GET" && (req.url === "/healthz" || req.url === "/statements")) {
    const body = Buffer.from(JSON.stringify(req.url === "/healthz" ? { status: "ok" } : { statements }));
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
    return;
  }
  handle(req, res);
});
server.keepAliveTimeout = 60_000; // the bench's keep-alive connections sit idle while the other servers run
server.listen(port, "127.0.0.1", () => {
  console.log(`PostGraphile on http://127.0.0.1:${port}/graphql`);
});

const stop = () => {
  server.close();
  pgl.release().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
