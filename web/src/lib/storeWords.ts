// Provisioning in the words of a store owner. The server reports steps by their
// Kubernetes-shaped names ("release", "namespace") and some messages name namespaces,
// Helm releases and settings; owners see what is happening to their shop instead, and
// the original text stays available to operators under "Technical details".
import type { StoreEvent, StoreStatus } from '../api/types';

const STEP_WORDS: Record<string, string> = {
  plan: 'Planning your store',
  namespace: 'Setting up an isolated space',
  credentials: 'Creating your admin login',
  release: 'Installing your store',
  workloads: 'Starting the database and shop',
  bootstrap: 'Setting up the shop',
  verify: 'Testing checkout',
  ready: 'Ready',
};

/** Steps of an upgrade or rollback where they differ from provisioning's. */
const UPGRADE_WORDS: Record<string, string> = {
  upgrade: 'Upgrading your store',
  rollback: 'Rolling back your store',
  release: 'Installing the new version',
};

const TEARDOWN_WORDS: Record<string, string> = {
  uninstall: 'Removing the store',
  namespace: 'Removing its isolated space',
};

/** A step name ("release") in words ("Installing your store"); unknown steps as they are. */
export function stepWords(step: string | null | undefined, status?: StoreStatus): string | null {
  if (!step) return null;
  if (status === 'Deleting' && TEARDOWN_WORDS[step]) return TEARDOWN_WORDS[step];
  if (status === 'Upgrading' && UPGRADE_WORDS[step]) return UPGRADE_WORDS[step];
  return STEP_WORDS[step] ?? UPGRADE_WORDS[step] ?? TEARDOWN_WORDS[step] ?? step;
}

/** The text of an event that tells checkout verification was skipped. */
export const CHECKOUT_SKIPPED = /^Checkout verification skipped/;

const MESSAGE_WORDS: Array<[RegExp, string]> = [
  [/^Planned namespace \S+ and release \S+$/, 'Planned your store'],
  [/^Creating namespace \S+$/, 'Setting up an isolated space for your store'],
  [/^Namespace \S+ is ready\b.*$/, 'Your store’s isolated space is ready'],
  [/^Installing release \S+$/, 'Installing your store'],
  [/^Release \S+ is at revision \d+$/, 'Your store is installed'],
  [/^Deleting namespace \S+$/, 'Removing everything the store used'],
  [
    CHECKOUT_SKIPPED,
    'Checkout was not tested: no test order was placed, so nobody has checked yet that customers can pay.',
  ],
];

/**
 * An event message for the owner. `technical` is the original when it was reworded, so
 * the page can keep it for operators.
 */
export function ownerMessage(message: string): { text: string; technical: string | null } {
  for (const [re, words] of MESSAGE_WORDS) {
    if (re.test(message)) return { text: words, technical: message };
  }
  return { text: message, technical: null };
}

/** The operator-facing reason checkout was skipped, e.g. the setting that turned it off. */
export function skippedSetting(events: readonly Pick<StoreEvent, 'message'>[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const m = /\b(STOREFLEET_[A-Z_]+=\S+?)\)?$/.exec(events[i]!.message);
    if (m && CHECKOUT_SKIPPED.test(events[i]!.message)) return m[1]!;
  }
  return null;
}
