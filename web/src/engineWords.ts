// What the store page calls an engine's parts: a WooCommerce store has a storefront and a
// WordPress administrator; a Medusa store is a commerce API with an admin signed in by
// e-mail.

export interface EngineWords {
  /** The label of the store's URL. */
  url: string;
  /** The label of the admin URL. */
  admin: string;
  /** What the admin credentials are. */
  account: string;
  /** The label of the login name. */
  username: string;
}

const WORDS: Record<string, EngineWords> = {
  woocommerce: {
    url: 'Storefront',
    admin: 'Admin',
    account: 'The WordPress administrator account of this store.',
    username: 'Username',
  },
  medusa: {
    url: 'Store API',
    admin: 'Medusa Admin',
    account: 'The Medusa administrator account of this store; sign in with this e-mail address.',
    username: 'E-mail',
  },
};

export function engineWords(engine: string): EngineWords {
  return (
    WORDS[engine] ?? {
      url: 'Store',
      admin: 'Admin',
      account: 'The administrator account of this store.',
      username: 'Username',
    }
  );
}
