// Waits until PostgreSQL answers a query and Redis answers PING with the credentials
// from the environment, for at most SETUP_WAIT_SECONDS (default 300). Exit 0 when both
// answer, 1 when time runs out. Resolves pg and ioredis from the application in the
// working directory. Never prints a secret.
//
//   --setup-done       also wait until a setup has completed once (the server and the
//                      worker start only on a migrated database: Medusa's loaders fail on
//                      missing tables, and a restart loop would delay the store)
//   --mark-setup-done  record that the setup completed, and exit
const MARKER = "storefleet_setup"
"use strict"
const path = require("path")
const fromApp = (name) => require(require.resolve(name, { paths: [process.cwd()] }))
const { Client } = fromApp("pg")
const Redis = fromApp("ioredis")

const deadline = Date.now() + Number(process.env.SETUP_WAIT_SECONDS || 300) * 1000
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function postgresClient() {
  return new Client({
    host: process.env.DATABASE_HOST,
    port: Number(process.env.DATABASE_PORT || 5432),
    database: process.env.DATABASE_NAME,
    user: process.env.DATABASE_USER,
    password: process.env.DATABASE_PASSWORD,
    connectionTimeoutMillis: 5000,
    ssl: false,
  })
}

async function postgresAnswers(setupDone) {
  const client = postgresClient()
  try {
    await client.connect()
    await client.query("SELECT 1")
    if (setupDone) {
      const found = await client.query("SELECT to_regclass($1) AS t", [MARKER])
      if (!found.rows[0].t) {
        return "the store's setup has not completed yet"
      }
    }
    return null
  } catch (err) {
    return err.code || err.message
  } finally {
    await client.end().catch(() => {})
  }
}

async function redisAnswers() {
  const redis = new Redis({
    host: process.env.REDIS_HOST,
    port: Number(process.env.REDIS_PORT || 6379),
    password: process.env.REDIS_PASSWORD || undefined,
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  redis.on("error", () => {})
  try {
    await redis.connect()
    return (await redis.ping()) === "PONG" ? null : "no PONG"
  } catch (err) {
    return err.code || err.message
  } finally {
    redis.disconnect()
  }
}

async function markSetupDone() {
  const client = postgresClient()
  await client.connect()
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MARKER} (id int PRIMARY KEY, completed_at timestamptz NOT NULL)`,
    )
    await client.query(
      `INSERT INTO ${MARKER} (id, completed_at) VALUES (1, now())
       ON CONFLICT (id) DO UPDATE SET completed_at = excluded.completed_at`,
    )
    return 0
  } finally {
    await client.end().catch(() => {})
  }
}

async function main() {
  if (process.argv.includes("--mark-setup-done")) {
    return markSetupDone()
  }
  const setupDone = process.argv.includes("--setup-done")
  let last = ""
  for (;;) {
    const pg = await postgresAnswers(setupDone)
    const redis = pg ? "not tried" : await redisAnswers()
    if (!pg && !redis) {
      return 0
    }
    const state = pg ? `PostgreSQL: ${pg}` : `Redis: ${redis}`
    if (state !== last) {
      console.error(`${path.basename(__filename)}: waiting (${state})`)
      last = state
    }
    if (Date.now() > deadline) {
      console.error(`${path.basename(__filename)}: gave up (${state})`)
      return 1
    }
    await sleep(1000)
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(`${path.basename(__filename)}: ${err.message}`)
  process.exit(1)
})
