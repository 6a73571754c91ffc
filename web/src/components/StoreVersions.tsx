// A store page's versions line: the software the store runs (WordPress and WooCommerce,
// or Medusa; and its database), read from the images its pods run.
import type { StoreResourcesState } from '../state/storeResources';

export function StoreVersions({ state }: { state: StoreResourcesState }) {
  const versions = state.data?.versions ?? [];
  if (versions.length === 0) return null;
  return (
    <p className="text-sm text-slate-700" data-testid="store-versions">
      <span className="font-medium text-slate-900">Runs</span>{' '}
      {versions.map((v, i) => (
        <span key={`${v.component}-${v.product}`}>
          {i > 0 && <span className="text-slate-400"> · </span>}
          <span className="whitespace-nowrap" title={`From the ${v.source}`}>
            {v.product} {v.version ?? <span className="text-slate-500">(version not pinned)</span>}
          </span>
        </span>
      ))}
    </p>
  );
}
