// Storefleet's Medusa configuration: everything comes from the environment the chart
// (or a user's container runtime) sets. There are no fallbacks for secrets: a missing
// one stops the process with a message naming it.
import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "production", process.cwd())

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(`storefleet: the environment variable ${name} is required and not set`)
  }
  return value
}

function optional(name: string, fallback: string): string {
  const value = process.env[name]
  return value ? value : fallback
}

const enc = encodeURIComponent

const databaseUrl =
  `postgres://${enc(required("DATABASE_USER"))}:${enc(required("DATABASE_PASSWORD"))}` +
  `@${required("DATABASE_HOST")}:${optional("DATABASE_PORT", "5432")}` +
  `/${enc(required("DATABASE_NAME"))}`

// One Redis for sessions, events, workflows, locks and caches, each module with its own
// key prefix where the module offers one.
const redisPassword = process.env.REDIS_PASSWORD ?? ""
const redisUrl =
  `redis://${redisPassword ? `:${enc(redisPassword)}@` : ""}` +
  `${required("REDIS_HOST")}:${optional("REDIS_PORT", "6379")}`

const workerMode = optional("MEDUSA_WORKER_MODE", "shared")
if (!["shared", "server", "worker"].includes(workerMode)) {
  throw new Error(`storefleet: MEDUSA_WORKER_MODE must be shared, server or worker (got ${workerMode})`)
}

const backendUrl = process.env.MEDUSA_BACKEND_URL || ""

module.exports = defineConfig({
  projectConfig: {
    databaseUrl,
    // The store's PostgreSQL is in the same namespace and speaks plain TCP.
    databaseDriverOptions: { connection: { ssl: false } },
    redisUrl,
    redisPrefix: "medusa:",
    workerMode: workerMode as "shared" | "server" | "worker",
    http: {
      storeCors: optional("STORE_CORS", backendUrl),
      adminCors: optional("ADMIN_CORS", backendUrl),
      authCors: optional("AUTH_CORS", backendUrl),
      jwtSecret: required("JWT_SECRET"),
      cookieSecret: required("COOKIE_SECRET"),
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_ENABLED !== "true",
    // The admin bundle calls the API on its own origin unless told otherwise.
    backendUrl: backendUrl || "/",
  },
  modules: [
    {
      resolve: "@medusajs/medusa/event-bus-redis",
      options: { redisUrl },
    },
    {
      resolve: "@medusajs/medusa/cache-redis",
      options: { redisUrl, namespace: "medusa-cache" },
    },
    {
      resolve: "@medusajs/medusa/caching",
      options: {
        providers: [
          {
            resolve: "@medusajs/medusa/caching-redis",
            id: "caching-redis",
            is_default: true,
            options: { redisUrl },
          },
        ],
      },
    },
    {
      resolve: "@medusajs/medusa/workflow-engine-redis",
      options: { redis: { redisUrl } },
    },
    {
      resolve: "@medusajs/medusa/locking",
      options: {
        providers: [
          {
            resolve: "@medusajs/medusa/locking-redis",
            id: "locking-redis",
            is_default: true,
            options: { redisUrl },
          },
        ],
      },
    },
  ],
})
