import { describe, expect, it } from 'vitest';
import { engineWords } from './engineWords';

describe('engineWords', () => {
  it('calls a Medusa store an API whose admin signs in by e-mail', () => {
    const w = engineWords('medusa');
    expect(w.url).toBe('Store API');
    expect(w.username).toBe('E-mail');
    expect(w.account).toMatch(/Medusa/);
  });

  it('keeps WooCommerce words and has neutral ones for an engine it does not know', () => {
    expect(engineWords('woocommerce').url).toBe('Storefront');
    expect(engineWords('woocommerce').account).toMatch(/WordPress/);
    expect(engineWords('shopify').account).not.toMatch(/WordPress|Medusa/);
  });
});
