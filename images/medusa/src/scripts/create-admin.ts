// Creates the store's admin user with an email+password login when it is absent, reading
// MEDUSA_ADMIN_EMAIL and MEDUSA_ADMIN_PASSWORD from the environment (`medusa user -p`
// would put the password on a command line). An existing user and its password are never
// changed; a half-finished earlier run (user without login, or login not tied to the
// user) is completed.
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createUsersWorkflow } from "@medusajs/medusa/core-flows"

const PROVIDER = "emailpass"

export default async function createAdmin({ container }: ExecArgs) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)

  const email = process.env.MEDUSA_ADMIN_EMAIL
  const password = process.env.MEDUSA_ADMIN_PASSWORD
  if (!email || !password) {
    throw new Error("create-admin: MEDUSA_ADMIN_EMAIL and MEDUSA_ADMIN_PASSWORD are required")
  }

  let [user] = await userModule.listUsers({ email })
  if (!user) {
    const { result } = await createUsersWorkflow(container).run({ input: { users: [{ email }] } })
    user = result[0]
    logger.info("create-admin: admin user created")
  }

  const [identity] = await authModule.listProviderIdentities(
    { entity_id: email, provider: PROVIDER },
    { relations: ["auth_identity"] }
  )
  let authIdentityId = identity?.auth_identity_id
  if (!identity) {
    const { authIdentity, error } = await authModule.register(PROVIDER, {
      body: { email, password },
    } as any)
    if (error || !authIdentity) {
      throw new Error(`create-admin: registering the login failed: ${error ?? "no identity returned"}`)
    }
    authIdentityId = authIdentity.id
    logger.info("create-admin: email+password login created")
  }

  const authIdentity = await authModule.retrieveAuthIdentity(authIdentityId as string)
  if (authIdentity.app_metadata?.user_id !== user.id) {
    if (authIdentity.app_metadata?.user_id) {
      throw new Error("create-admin: the admin e-mail's login belongs to another user")
    }
    await authModule.updateAuthIdentities({
      id: authIdentity.id,
      app_metadata: { ...(authIdentity.app_metadata ?? {}), user_id: user.id },
    })
    logger.info("create-admin: login tied to the admin user")
  } else if (identity) {
    logger.info("create-admin: the admin user exists, nothing changed")
  }
}
