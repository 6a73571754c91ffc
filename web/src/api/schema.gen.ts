// GENERATED FILE: do not edit. Made from openapi.json by openapi-typescript
// (web/scripts/gen-api-types.mjs); to change it, change the API's Rust types and run
// scripts/gen-openapi, which regenerates openapi.json and this file.
// web/src/api/types.ts gives the dashboard its names for these shapes.

export interface paths {
    "/api/v1/admin/fleet/upgrades": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fleet upgrades, newest first (the last 100). */
        get: operations["list"];
        put?: never;
        /**
         * Start a rolling upgrade of every Ready store of an engine that runs an older chart or
         *     values: `max_unavailable` at a time, each waited for until Ready again; it halts when
         *     `max_failures` store upgrades failed (those stores are rolled back by themselves).
         */
        post: operations["start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/fleet/upgrades/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One fleet upgrade and each of its stores. */
        get: operations["show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/fleet/upgrades/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a running or paused fleet upgrade: stores not started are skipped; stores being
         *     upgraded finish.
         */
        post: operations["cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/fleet/upgrades/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a running fleet upgrade: stores being upgraded finish, no new ones start. */
        post: operations["pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/fleet/upgrades/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused fleet upgrade. */
        post: operations["resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user with their quota and live store count. */
        get: operations["list_users"];
        put?: never;
        /** Create a user with a generated temporary password, returned once in the answer. */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a user who has no stores left (deleted ones are forgotten with them); their
         *     sessions end. The audit log keeps the user's id.
         */
        delete: operations["delete_user"];
        options?: never;
        head?: never;
        /**
         * Change a user's store quota, role or suspension. Suspending ends all the user's
         *     sessions at once; their stores keep running.
         */
        patch: operations["update_user"];
        trace?: never;
    };
    "/api/v1/admin/users/{id}/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give a user a new generated temporary password (returned once) and end all their sessions. */
        post: operations["reset_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first: admins see everything, users their own actions. */
        get: operations["audit_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with email and password. */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out: ends the session the request carries (bearer token or cookie) on the
         *     server, so the token stops working at once, and clears the cookie.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account and sign in. */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live store changes: `event: store` with the Store as data; `event: store_gone` with
         *     `{"id"}` when a store is deleted for good; `event: resync` when changes were missed
         *     and the client should fetch the list again; `event: end` with `{"reason"}`
         *     (`session_ended`, `role_changed`) just before the server closes a stream whose session
         *     ended or whose caller lost the role it needs.
         */
        get: operations["stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What this server offers: version, whether sign-up is open, engines. */
        get: operations["info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user, with their quota and how much of it is used. */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change the signed-in user's password. Every other session of theirs ends (other
         *     browsers and API tokens must sign in again); this one stays signed in.
         */
        post: operations["change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user's live sessions, newest first; `current` marks the one the
         *     request came with.
         */
        get: operations["list_sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions/revoke-others": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every session of the signed-in user except the one the request came with. */
        post: operations["revoke_other_sessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one of the signed-in user's sessions (this one too, which signs this client out). */
        delete: operations["end_session"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's live stores, newest first (admins may ask for all). */
        get: operations["list_stores"];
        put?: never;
        /** Ask for a new store. The answer comes at once; provisioning happens in the background. */
        post: operations["create_store"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One store. */
        get: operations["get_store"];
        put?: never;
        post?: never;
        /** Delete a store and everything it has. Repeatable until the store is gone. */
        delete: operations["delete_store"];
        options?: never;
        head?: never;
        /**
         * Change a store: set its display name, or remove it with `null`. Audited as
         *     `store.update` with the display name before and after.
         */
        patch: operations["update_store"];
        trace?: never;
    };
    "/api/v1/stores/{id}/admin-login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A one-click login link to the store's admin: signed by the platform with the store's
         *     own key, valid once for 60 seconds, verified by the store. WooCommerce stores only.
         *     The link is never stored or logged; the request is audited (`store.admin_login`).
         */
        post: operations["admin_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The store administrator's login, read from the store's Secret on demand (Ready
         *     stores only). Every read is audited.
         */
        get: operations["store_credentials"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/credentials/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replace some of a Ready store's credentials with newly generated ones and apply them
         *     to the running store (202; the store is `Provisioning` until it is Ready again).
         *     Audited (`store.credentials_rotate`, with the kinds, never values).
         */
        post: operations["rotate_credentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What happened to a store, oldest first. */
        get: operations["store_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store's components as the cluster sees them now. */
        get: operations["store_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The store's namespace as the cluster sees it now: per component the pods' CPU and
         *     memory requests and limits, the namespace's ResourceQuota, live usage where the
         *     cluster serves the metrics API, the software versions the store runs and its recent
         *     Kubernetes events in words.
         */
        get: operations["store_resources"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Try a failed store again, keeping its data. */
        post: operations["retry_store"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/revisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store's release history. */
        get: operations["revisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Return the store to an earlier revision of its release (`Upgrading` meanwhile; a
         *     failed rollback returns it to the revision it ran).
         */
        post: operations["rollback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}/upgrade": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Bring the store to the platform's current chart and values. The store stays up
         *     (`Upgrading`) and goes through the same workloads, setup and verification as a new
         *     one; a failed upgrade is rolled back by itself.
         */
        post: operations["upgrade"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** 200 while the process runs. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (OpenMetrics text). */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** 200 when the database and the cluster answer; 503 naming what does not. */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A one-click login link to the store's administration. */
        AdminLoginView: {
            /** Format: date-time */
            expires_at: string;
            /**
             * @description Opens the store's admin signed in as its administrator. Works once, until
             *     `expires_at` (60 seconds); never stored by the platform.
             */
            url: string;
        };
        AdminUserList: {
            items: components["schemas"]["AdminUserView"][];
        };
        AdminUserView: {
            /** Format: date-time */
            created_at: string;
            email: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: date-time
             * @description When the user last signed in (or signed up); `null` if never.
             */
            last_login_at?: string | null;
            role: components["schemas"]["Role"];
            /** Format: int64 */
            store_quota: number;
            /**
             * Format: int64
             * @description Stores counting toward the quota: live and not being deleted.
             */
            stores_active: number;
            /** @description A suspended user cannot sign in; their stores keep running. */
            suspended: boolean;
        };
        /** @description CPU in millicores and memory in bytes; null when not set. */
        AmountsView: {
            /** Format: int64 */
            cpu_millicores?: number | null;
            /** Format: int64 */
            memory_bytes?: number | null;
        };
        AuditEventList: {
            items: components["schemas"]["AuditEventView"][];
        };
        AuditEventView: {
            action: string;
            actor_email?: string | null;
            /** Format: uuid */
            actor_id?: string | null;
            /** Format: date-time */
            at: string;
            details: Record<string, unknown>;
            /**
             * Format: int64
             * @description Cursor for paging: pass as `before` to get older events.
             */
            id: number;
            ip?: string | null;
            target_id?: string | null;
            target_type?: string | null;
        };
        /** @description A recent Kubernetes event of the store's namespace, in words. */
        ClusterEventView: {
            /** Format: date-time */
            at?: string | null;
            /** Format: int32 */
            count: number;
            message: string;
            object: string;
            /** @description For operators: the event's reason, object (`Kind/name`), message and count. */
            reason: string;
            warning: boolean;
            /** @description What happened, in an owner's words. */
            words: string;
        };
        /** @description One component's pods: what they request, their limits, and live usage. */
        ComponentResourcesView: {
            /** @description `wordpress`, `mariadb`, `postgres`, ..., `setup` for the setup job's pod. */
            component: string;
            limits: components["schemas"]["AmountsView"];
            /**
             * Format: int64
             * @description Pods of the component that run or wait to run (finished job pods are left out).
             */
            pods: number;
            requests: components["schemas"]["AmountsView"];
            usage?: null | components["schemas"]["AmountsView"];
        };
        ComponentView: {
            message: string;
            name: string;
            ready: boolean;
        };
        CreateStoreBody: {
            /**
             * @description Optional name shown above the address name: 1–80 characters after trimming, no
             *     control characters.
             */
            display_name?: string | null;
            /** @description A lowercase FQDN; defaults to `<name>-<short id>.<base domain>`. */
            domain?: string | null;
            engine?: null | components["schemas"]["Engine"];
            /** @description 3–63 of `a-z`, `0-9`, `-`; starts with a letter, ends with a letter or digit. */
            name: string;
        };
        /**
         * @description A new user and their temporary password, shown this once: the server keeps only
         *     its hash. The user should change it after signing in.
         */
        CreatedUser: {
            temporary_password: string;
            user: components["schemas"]["AdminUserView"];
        };
        /**
         * @description A kind of store credential a rotation can replace; its name is the rotation request's
         *     field, what is stored and audited, and what `GET /info` lists.
         * @enum {string}
         */
        CredentialKind: "admin_password" | "database_passwords" | "salts";
        Credentials: {
            /** Format: email */
            email: string;
            /** @description 10–256 characters. */
            password: string;
        };
        CredentialsView: {
            admin_url: string;
            /** @description Generated at provisioning; change it after the first sign-in. */
            password: string;
            username: string;
        };
        /** @enum {string} */
        Engine: "woocommerce" | "medusa";
        EngineInfo: {
            default: boolean;
            id: components["schemas"]["Engine"];
            name: string;
            /**
             * @description The kinds of credentials a store of this engine can rotate (the fields of
             *     `POST /api/v1/stores/{id}/credentials/rotate`); empty when it cannot rotate any yet.
             */
            rotatable_credentials: components["schemas"]["CredentialKind"][];
        };
        /** @enum {string} */
        EventLevel: "info" | "warning" | "error";
        EventList: {
            items: components["schemas"]["EventView"][];
        };
        EventView: {
            /** Format: date-time */
            at: string;
            /**
             * Format: int64
             * @description How long the step took, when the event closes a step.
             */
            duration_ms?: number | null;
            level: components["schemas"]["EventLevel"];
            message: string;
            step?: string | null;
        };
        HealthView: {
            /** Format: date-time */
            checked_at: string;
            components: components["schemas"]["ComponentView"][];
            healthy: boolean;
        };
        Me: {
            email: string;
            /** Format: uuid */
            id: string;
            role: components["schemas"]["Role"];
            /** Format: int64 */
            store_quota: number;
            /** Format: int64 */
            stores_active: number;
        };
        /** @description A user an administrator creates; the server generates a temporary password. */
        NewUserBody: {
            /** Format: email */
            email: string;
            /** @description Default `user`. */
            role?: components["schemas"]["Role"];
            /**
             * Format: int64
             * @description Default: the server's default quota.
             */
            store_quota?: number;
        };
        /** @description A password change: the current password proves it is the account's owner. */
        PasswordChange: {
            current_password: string;
            /** @description 10–256 characters, different from the current one. */
            new_password: string;
        };
        /** @description A new temporary password, shown this once; every session of the user has ended. */
        PasswordReset: {
            /** Format: int64 */
            sessions_ended: number;
            temporary_password: string;
        };
        /** @description The body of every error response. */
        Problem: {
            /**
             * Format: int64
             * @description For `quota_exceeded`: the caller's live stores.
             */
            active?: number | null;
            /** @description Stable, machine-readable error code. */
            code: string;
            /** @description For `unavailable`: what is down, such as `database` or `cluster`. */
            dependency?: string | null;
            detail: string;
            field_errors?: {
                [key: string]: string[];
            };
            /**
             * Format: int64
             * @description For `quota_exceeded`: the caller's quota.
             */
            quota?: number | null;
            /** @description Echoes the `X-Request-Id` response header (added on the way out). */
            request_id?: string | null;
            /**
             * Format: int64
             * @description For `rate_limited` and `unavailable`: seconds until a retry may succeed (also in
             *     `Retry-After`).
             */
            retry_after?: number | null;
            /** Format: int32 */
            status: number;
            title: string;
            /** @description Always `about:blank`: `code` carries the machine-readable meaning. */
            type: string;
        };
        /** @description One entry of the store namespace's ResourceQuota. */
        QuotaView: {
            hard: string;
            /** Format: int64 */
            hard_value?: number | null;
            /** @description The ResourceQuota's name. */
            quota: string;
            /** @description `requests.cpu`, `limits.memory`, `pods`, ... */
            resource: string;
            /** @description `millicores`, `bytes` or `count`. */
            unit: string;
            /** @description As Kubernetes writes it (`1500m`, `2Gi`). */
            used: string;
            /**
             * Format: int64
             * @description `used` and `hard` as numbers in `unit`.
             */
            used_value?: number | null;
        };
        Readiness: {
            checks: components["schemas"]["ReadyChecks"];
            ready: boolean;
        };
        ReadyChecks: {
            cluster: string;
            database: string;
        };
        /**
         * @description The store's namespace as the cluster sees it now: resources per component, quota,
         *     live usage where the cluster offers metrics, software versions and recent events.
         */
        ResourcesView: {
            /** Format: date-time */
            checked_at: string;
            components: components["schemas"]["ComponentResourcesView"][];
            /** @description Newest first, at most 20. */
            events: components["schemas"]["ClusterEventView"][];
            quota: components["schemas"]["QuotaView"][];
            /**
             * @description Why `usage` is null everywhere (no metrics API, not permitted, not answering);
             *     null when live usage is available.
             */
            usage_unavailable_reason?: string | null;
            versions: components["schemas"]["VersionView"][];
        };
        RevisionList: {
            /**
             * Format: int32
             * @description The revision deployed now.
             */
            current_revision?: number | null;
            /** @description Newest first; Helm keeps the last five. */
            items: components["schemas"]["RevisionView"][];
            /**
             * @description The store's release differs from what the platform would apply now (its chart or
             *     values changed, or the store was rolled back).
             */
            upgrade_available: boolean;
        };
        RevisionView: {
            app_version: string;
            /**
             * @description Dotted paths of the values that differ from the previous revision (never the
             *     values themselves).
             */
            changed_values: string[];
            chart_version: string;
            description: string;
            /** Format: int32 */
            revision: number;
            /** @description Whether `POST /stores/{id}/rollback` accepts this revision now. */
            rollback_allowed: boolean;
            /** @description Helm's status of the revision: deployed, superseded, failed, pending-upgrade… */
            status: string;
            /** Format: date-time */
            updated_at?: string | null;
        };
        /** @enum {string} */
        Role: "user" | "admin";
        RollbackBody: {
            /** @description An earlier revision of the store's release (see `GET /stores/{id}/revisions`). */
            revision: unknown;
        };
        RolloutList: {
            items: components["schemas"]["RolloutView"][];
        };
        /**
         * @description Where a fleet rollout stands.
         * @enum {string}
         */
        RolloutState: "running" | "paused" | "halted" | "cancelled" | "completed";
        /**
         * @description Where one store of a rollout stands.
         * @enum {string}
         */
        RolloutStoreState: "pending" | "upgrading" | "succeeded" | "failed" | "skipped";
        RolloutStoreView: {
            /** Format: date-time */
            finished_at?: string | null;
            name: string;
            reason?: string | null;
            /** Format: date-time */
            started_at?: string | null;
            state: components["schemas"]["RolloutStoreState"];
            /** Format: uuid */
            store_id: string;
        };
        RolloutView: {
            /** Format: date-time */
            created_at: string;
            created_by_email?: string | null;
            engine: components["schemas"]["Engine"];
            /** Format: int64 */
            failed: number;
            /** Format: date-time */
            finished_at?: string | null;
            halt_reason?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: int64 */
            max_failures: number;
            /** Format: int64 */
            max_unavailable: number;
            /** Format: int64 */
            pending: number;
            /** Format: int64 */
            skipped: number;
            state: components["schemas"]["RolloutState"];
            /** @description Each store and where it stands, in upgrade order (only on `GET …/{id}`). */
            stores?: components["schemas"]["RolloutStoreView"][] | null;
            /** Format: int64 */
            succeeded: number;
            /** Format: int64 */
            total: number;
            /** Format: date-time */
            updated_at: string;
            /** Format: int64 */
            upgrading: number;
        };
        /**
         * @description Which credentials to rotate. Omitted fields: `admin_password` true, the others false;
         *     at least one must be true.
         */
        RotateCredentialsBody: {
            admin_password?: boolean | null;
            database_passwords?: boolean | null;
            /** @description WordPress's authentication keys and salts (signs everyone out). */
            salts?: boolean | null;
        };
        ServerInfo: {
            base_domain: string;
            /** @description The engines this server can provision. */
            engines: components["schemas"]["EngineInfo"][];
            /** @description `open` or `closed`. */
            signup: string;
            version: string;
        };
        Session: {
            /** Format: date-time */
            expires_at: string;
            /** @description Bearer token for API clients; browsers use the httpOnly cookie set alongside. */
            token: string;
            user: components["schemas"]["UserView"];
        };
        SessionList: {
            items: components["schemas"]["SessionView"][];
        };
        /** @description One of the signed-in user's live sessions. */
        SessionView: {
            /** Format: date-time */
            created_at: string;
            /** @description The session this request came with ("this browser"). */
            current: boolean;
            /** Format: date-time */
            expires_at: string;
            id: string;
            /** @description The client address at sign-in. */
            ip?: string | null;
            /** @description The client's `User-Agent` at sign-in, at most 200 characters. */
            user_agent?: string | null;
        };
        SessionsEnded: {
            /** Format: int64 */
            sessions_ended: number;
        };
        StartRollout: {
            /** @description `woocommerce` or `medusa` (an engine this server offers). */
            engine: unknown;
            /** @description After how many failed store upgrades the rollout halts (1–1000, default 1). */
            max_failures?: unknown;
            /** @description How many stores are upgraded at once (1–50, default 1). */
            max_unavailable?: unknown;
        };
        StoreList: {
            items: components["schemas"]["StoreView"][];
        };
        /**
         * @description A change to a store. `display_name` must be given: a string sets it (1–80 characters
         *     after trimming, no control characters), `null` removes it.
         */
        StorePatch: {
            display_name: string | null;
        };
        /** @enum {string} */
        StoreStatus: "Pending" | "Provisioning" | "Ready" | "Failed" | "Deleting" | "Upgrading";
        StoreView: {
            admin_url?: string | null;
            /**
             * @description `true` when the store's last provisioning placed a real test order through its
             *     checkout, `false` when verification was skipped (checkout verification turned off
             *     on this server), null before the store was first Ready.
             */
            checkout_verified?: boolean | null;
            /** Format: date-time */
            created_at: string;
            /**
             * @description What the owner calls the store (1–80 characters), shown above `name`; null when
             *     none was given.
             */
            display_name?: string | null;
            domain: string;
            engine: components["schemas"]["Engine"];
            /** Format: uuid */
            id: string;
            name: string;
            namespace: string;
            /** @description The owner's email address (administrators see whose store it is). */
            owner_email: string;
            /** Format: uuid */
            owner_id: string;
            /** Format: date-time */
            ready_at?: string | null;
            /**
             * Format: int64
             * @description The Helm revision of the store's release the engine last applied (null before the
             *     first install finished).
             */
            revision?: number | null;
            status: components["schemas"]["StoreStatus"];
            status_reason: string;
            step?: string | null;
            /**
             * Format: date-time
             * @description When the current step began: never before the latest create, retry or delete
             *     request, so after a retry it does not point into the failed attempt. Null until
             *     the first step of the store starts.
             */
            step_started_at?: string | null;
            /** Format: int64 */
            steps_done: number;
            /** Format: int64 */
            steps_total: number;
            /** Format: date-time */
            updated_at: string;
            url?: string | null;
        };
        /** @description Give `store_quota`, `role`, `suspended` or several; an empty patch is refused (422). */
        UserPatch: {
            role?: components["schemas"]["Role"];
            /**
             * Format: int64
             * @description Live stores this user may have (0–10000).
             */
            store_quota?: number;
            /**
             * @description Suspend (`true`: the user cannot sign in and all their sessions end at once; their
             *     stores keep running) or restore (`false`) the account.
             */
            suspended?: boolean;
        };
        UserView: {
            email: string;
            /** Format: uuid */
            id: string;
            role: components["schemas"]["Role"];
        };
        /** @description One piece of software the store runs. */
        VersionView: {
            component: string;
            /** @description `WordPress`, `WooCommerce`, `MariaDB`, `Medusa`, `PostgreSQL`, `Redis`. */
            product: string;
            /** @description Where the version was read: the image a pod runs, or the setup job's settings. */
            source: string;
            /**
             * @description Null when the source does not say (an image pinned by digest, WooCommerce bundled
             *     in the image).
             */
            version?: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    start: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRollout"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `rollout_active` or `nothing_to_upgrade` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    show: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Rollout id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Rollout id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `invalid_rollout_state` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Rollout id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `invalid_rollout_state` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Rollout id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolloutView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `invalid_rollout_state` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUserBody"];
            };
        };
        responses: {
            /** @description Created; `temporary_password` is shown only in this answer */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedUser"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `conflict`: the email is already registered */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `user_has_stores` (with `active`: how many stores are not yet deleted) or `cannot_change_self` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `cannot_change_self`: an admin cannot demote or suspend themselves */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    reset_password: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `temporary_password` is shown only in this answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordReset"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    audit_events: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description At most this many events (1–500, default 50). */
                limit: number | null;
                /** @description Only events older than the event with this id (paging). */
                before: number | null;
                /** @description Only this action, e.g. `store.create`. */
                action: string | null;
                /** @description Admins only: only events by this user. */
                actor_id: string | null;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Credentials"];
            };
        };
        responses: {
            /** @description Signed in; sets the session cookie */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description `invalid_credentials`: unknown email or wrong password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `account_suspended`: the password is right but an administrator suspended the account */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many failed sign-ins */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out: the session is ended and the session cookie cleared */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Cookie session with a cross-site or missing Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is unavailable; the session may still be live */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Credentials"];
            };
        };
        responses: {
            /** @description Account created and signed in; sets the session cookie */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description `signup_disabled` or cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Email already registered */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid email or password */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `rate_limited`: too many sign-ups from this address (with Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Admins only: changes to every user's stores. */
                all: boolean | null;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream of store changes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    info: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServerInfo"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    change_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description Password changed; the user's other sessions are ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `current_password` is wrong, or `new_password` breaks a rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many wrong current passwords (the sign-in throttle) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_sessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revoke_other_sessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionsEnded"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    end_session: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Session id, from `GET /me/sessions` */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session has ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No live session of yours has this id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_stores: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Admins only: list every user's stores. */
                all: boolean | null;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_store: {
        parameters: {
            query?: never;
            header?: {
                /** @description Same key and body within 24 h returns the first response again; 1-255 visible ASCII characters */
                "Idempotency-Key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateStoreBody"];
            };
        };
        responses: {
            /** @description Store accepted (Pending) */
            202: {
                headers: {
                    /** @description URL of the new store */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `conflict` (name or domain taken) or `idempotency_in_progress` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `validation_failed` or `idempotency_mismatch` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `quota_exceeded` or `rate_limited` (with Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_store: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_store: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleting */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_store: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StorePatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `validation_failed` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    admin_login: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminLoginView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `not_ready`: the store is not Ready (or has no login key yet); `not_supported_for_engine`: not a WooCommerce store */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The cluster did not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    store_credentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CredentialsView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `not_ready`: the store is not Ready */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The cluster did not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rotate_credentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateCredentialsBody"];
            };
        };
        responses: {
            /** @description Rotating (Provisioning) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `not_ready`: the store is not Ready; `not_supported_for_engine`: the engine cannot rotate a kind asked for */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Nothing to rotate, or an unknown field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    store_events: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    store_health: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    store_resources: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourcesView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The cluster did not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    retry_store: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Back to Provisioning */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The store is not Failed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revisions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevisionList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The cluster did not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rollback: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackBody"];
            };
        };
        responses: {
            /** @description Rolling back (Upgrading) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `not_ready` or `already_at_revision` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `validation_failed` or `unknown_revision` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The cluster did not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    upgrade: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Store id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Upgrading */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoreView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `not_ready` (only Ready stores) or `up_to_date` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metrics in OpenMetrics text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/openmetrics-text": string;
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
}
type FlattenedDeepRequired<T> = {
    [K in keyof T]-?: FlattenedDeepRequired<T[K] extends unknown[] | undefined | null ? Extract<T[K], unknown[]>[number] : T[K]>;
};
type ReadonlyArray<T> = [
    Exclude<T, undefined>
] extends [
    unknown[]
] ? Readonly<Exclude<T, undefined>> : Readonly<Exclude<T, undefined>[]>;
export const credentialKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["CredentialKind"]> = ["admin_password", "database_passwords", "salts"];
export const engineValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["Engine"]> = ["woocommerce", "medusa"];
export const eventLevelValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["EventLevel"]> = ["info", "warning", "error"];
export const roleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["Role"]> = ["user", "admin"];
export const rolloutStateValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["RolloutState"]> = ["running", "paused", "halted", "cancelled", "completed"];
export const rolloutStoreStateValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["RolloutStoreState"]> = ["pending", "upgrading", "succeeded", "failed", "skipped"];
export const storeStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["StoreStatus"]> = ["Pending", "Provisioning", "Ready", "Failed", "Deleting", "Upgrading"];
