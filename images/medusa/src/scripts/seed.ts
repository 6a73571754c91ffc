// Storefleet's seed: the store, its sales channel, region, stock location with shipping,
// products and a publishable API key, as the contract's "What the seed creates" lists.
// Every step looks first and creates only what is missing, so running it again creates
// nothing and fails on nothing. Run by `storefleet-medusa setup` through `medusa exec`.
import { readFileSync } from "fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createInventoryLevelsWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"

type SeedProduct = {
  title: string
  handle: string
  sku: string
  price: number
  description: string
  stock: number
}

const SALES_CHANNEL_NAME = "Default Sales Channel"
const API_KEY_TITLE = "Storefront"
const SHIPPING_OPTION_NAME = "Standard shipping"
const SHIPPING_PRICE = 5

const DEFAULT_PRODUCTS: SeedProduct[] = [
  {
    title: "Canvas Tote",
    handle: "canvas-tote",
    sku: "SF-TOTE",
    price: 18,
    description: "A sturdy everyday bag in undyed cotton canvas.",
    stock: 100,
  },
  {
    title: "Enamel Mug",
    handle: "enamel-mug",
    sku: "SF-MUG",
    price: 12,
    description: "A light steel mug with a white enamel finish.",
    stock: 100,
  },
  {
    title: "Wool Beanie",
    handle: "wool-beanie",
    sku: "SF-BEANIE",
    price: 24,
    description: "A ribbed merino hat for cold mornings.",
    stock: 100,
  },
]

function env(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(`seed: the environment variable ${name} is required and not set`)
  }
  return value
}

function loadProducts(): SeedProduct[] {
  const file = process.env.STOREFLEET_PRODUCTS_FILE
  if (!file) {
    return DEFAULT_PRODUCTS
  }
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
  if (!Array.isArray(parsed)) {
    throw new Error(`seed: ${file} must hold a JSON array of products`)
  }
  return parsed.map((raw, i) => {
    const p = raw as Record<string, unknown>
    const price = Number(p.price)
    const stock = p.stock === undefined ? 100 : Number(p.stock)
    for (const key of ["title", "handle", "sku"]) {
      if (typeof p[key] !== "string" || !(p[key] as string)) {
        throw new Error(`seed: product ${i} in ${file} has no ${key}`)
      }
    }
    if (!Number.isFinite(price) || price < 0) {
      throw new Error(`seed: product ${i} in ${file} has an invalid price`)
    }
    if (!Number.isInteger(stock) || stock < 0) {
      throw new Error(`seed: product ${i} in ${file} has an invalid stock`)
    }
    return {
      title: p.title as string,
      handle: p.handle as string,
      sku: p.sku as string,
      price,
      description: typeof p.description === "string" ? p.description : "",
      stock,
    }
  })
}

export default async function seed({ container }: ExecArgs) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const storeModule = container.resolve(Modules.STORE)
  const salesChannelModule = container.resolve(Modules.SALES_CHANNEL)
  const regionModule = container.resolve(Modules.REGION)
  const stockLocationModule = container.resolve(Modules.STOCK_LOCATION)
  const fulfillmentModule = container.resolve(Modules.FULFILLMENT)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const productModule = container.resolve(Modules.PRODUCT)
  const inventoryModule = container.resolve(Modules.INVENTORY)

  const title = env("STORE_TITLE")
  const currency = env("STORE_CURRENCY").toLowerCase()
  const countries = env("STORE_COUNTRIES")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean)
  if (countries.length === 0) {
    throw new Error("seed: STORE_COUNTRIES names no country")
  }
  const products = loadProducts()
  const created: string[] = []

  // Sales channel.
  let [channel] = await salesChannelModule.listSalesChannels({ name: SALES_CHANNEL_NAME })
  if (!channel) {
    const { result } = await createSalesChannelsWorkflow(container).run({
      input: { salesChannelsData: [{ name: SALES_CHANNEL_NAME }] },
    })
    channel = result[0]
    created.push("sales channel")
  }

  // Region with the system payment provider.
  let [region] = await regionModule.listRegions({ name: title })
  if (!region) {
    const { result } = await createRegionsWorkflow(container).run({
      input: {
        regions: [
          {
            name: title,
            currency_code: currency,
            countries,
            payment_providers: ["pp_system_default"],
          },
        ],
      },
    })
    region = result[0]
    created.push("region")
  }

  // Stock location, sold from by the channel, shipped from with the manual provider.
  const locationName = `${title} warehouse`
  let [location] = await stockLocationModule.listStockLocations({ name: locationName })
  if (!location) {
    const { result } = await createStockLocationsWorkflow(container).run({
      input: {
        locations: [{ name: locationName, address: { address_1: "", country_code: countries[0] } }],
      },
    })
    location = result[0]
    created.push("stock location")
  }
  const { data: locationLinks } = await query.graph({
    entity: "stock_location",
    fields: ["id", "sales_channels.id", "fulfillment_providers.id", "fulfillment_sets.id"],
    filters: { id: location.id },
  })
  const linked = locationLinks[0] as any
  if (!(linked?.sales_channels ?? []).some((sc: any) => sc?.id === channel.id)) {
    await linkSalesChannelsToStockLocationWorkflow(container).run({
      input: { id: location.id, add: [channel.id] },
    })
    created.push("stock location ↔ sales channel")
  }
  if (!(linked?.fulfillment_providers ?? []).some((fp: any) => fp?.id === "manual_manual")) {
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
    })
    created.push("stock location ↔ manual fulfillment provider")
  }

  // Fulfillment set with one service zone covering the store's countries.
  const setName = `${title} shipping`
  let [fulfillmentSet] = await fulfillmentModule.listFulfillmentSets(
    { name: setName },
    { relations: ["service_zones"] }
  )
  if (!fulfillmentSet) {
    fulfillmentSet = await fulfillmentModule.createFulfillmentSets({
      name: setName,
      type: "shipping",
      service_zones: [
        {
          name: title,
          geo_zones: countries.map((country_code) => ({ type: "country" as const, country_code })),
        },
      ],
    })
    fulfillmentSet = (
      await fulfillmentModule.listFulfillmentSets({ id: fulfillmentSet.id }, { relations: ["service_zones"] })
    )[0]
    created.push("fulfillment set")
  }
  if (!(linked?.fulfillment_sets ?? []).some((fs: any) => fs?.id === fulfillmentSet.id)) {
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
    })
    created.push("stock location ↔ fulfillment set")
  }
  const serviceZone = fulfillmentSet.service_zones[0]

  // Shipping profile (Medusa may have made the default one already).
  let [profile] = await fulfillmentModule.listShippingProfiles({ type: "default" })
  if (!profile) {
    const { result } = await createShippingProfilesWorkflow(container).run({
      input: { data: [{ name: "Default Shipping Profile", type: "default" }] },
    })
    profile = result[0]
    created.push("shipping profile")
  }

  // One flat-rate shipping option for the zone.
  const [option] = await fulfillmentModule.listShippingOptions({
    name: SHIPPING_OPTION_NAME,
    service_zone: { id: serviceZone.id },
  })
  if (!option) {
    await createShippingOptionsWorkflow(container).run({
      input: [
        {
          name: SHIPPING_OPTION_NAME,
          price_type: "flat",
          provider_id: "manual_manual",
          service_zone_id: serviceZone.id,
          shipping_profile_id: profile.id,
          type: { label: "Standard", description: "Flat-rate delivery.", code: "standard" },
          prices: [
            { currency_code: currency, amount: SHIPPING_PRICE },
            { region_id: region.id, amount: SHIPPING_PRICE },
          ],
          rules: [
            { attribute: "enabled_in_store", value: "true", operator: "eq" },
            { attribute: "is_return", value: "false", operator: "eq" },
          ],
        },
      ],
    })
    created.push("shipping option")
  }

  // Publishable API key for the channel.
  let [apiKey] = await apiKeyModule.listApiKeys({ type: "publishable", title: API_KEY_TITLE })
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: API_KEY_TITLE, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    created.push("publishable API key")
  }
  const { data: keyLinks } = await query.graph({
    entity: "api_key",
    fields: ["id", "sales_channels.id"],
    filters: { id: apiKey.id },
  })
  if (!((keyLinks[0] as any)?.sales_channels ?? []).some((sc: any) => sc?.id === channel.id)) {
    await linkSalesChannelsToApiKeyWorkflow(container).run({
      input: { id: apiKey.id, add: [channel.id] },
    })
    created.push("API key ↔ sales channel")
  }

  // Store: name, default currency, defaults.
  const [store] = await storeModule.listStores({}, { relations: ["supported_currencies"] })
  const defaultCurrency = store?.supported_currencies?.find((c) => c.is_default)?.currency_code
  if (
    store &&
    (store.name !== title ||
      defaultCurrency !== currency ||
      store.default_sales_channel_id !== channel.id ||
      store.default_region_id !== region.id ||
      store.default_location_id !== location.id)
  ) {
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: store.id },
        update: {
          name: title,
          supported_currencies: [{ currency_code: currency, is_default: true }],
          default_sales_channel_id: channel.id,
          default_region_id: region.id,
          default_location_id: location.id,
        },
      },
    })
    created.push("store settings")
  }

  // Products, published in the channel, with a price and stock at the location.
  const handles = products.map((p) => p.handle)
  const existing = await productModule.listProducts({ handle: handles }, { select: ["handle"] })
  const have = new Set(existing.map((p) => p.handle))
  const missing = products.filter((p) => !have.has(p.handle))
  if (missing.length > 0) {
    await createProductsWorkflow(container).run({
      input: {
        products: missing.map((p) => ({
          title: p.title,
          handle: p.handle,
          description: p.description,
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: profile.id,
          options: [{ title: "Variant", values: ["Default"] }],
          variants: [
            {
              title: "Default",
              sku: p.sku,
              manage_inventory: true,
              options: { Variant: "Default" },
              prices: [{ amount: p.price, currency_code: currency }],
            },
          ],
          sales_channels: [{ id: channel.id }],
        })),
      },
    })
    created.push(`${missing.length} product(s)`)
  }
  const items = await inventoryModule.listInventoryItems({ sku: products.map((p) => p.sku) })
  const levels = await inventoryModule.listInventoryLevels({
    inventory_item_id: items.map((i) => i.id),
    location_id: location.id,
  })
  const stocked = new Set(levels.map((l) => l.inventory_item_id))
  const stockBySku = new Map(products.map((p) => [p.sku, p.stock]))
  const newLevels = items
    .filter((i) => !stocked.has(i.id))
    .map((i) => ({
      inventory_item_id: i.id,
      location_id: location.id,
      stocked_quantity: stockBySku.get(i.sku as string) ?? 0,
    }))
  if (newLevels.length > 0) {
    await createInventoryLevelsWorkflow(container).run({ input: { inventory_levels: newLevels } })
    created.push(`${newLevels.length} inventory level(s)`)
  }

  logger.info(
    created.length > 0 ? `seed: created ${created.join(", ")}` : "seed: nothing to create, the store is complete"
  )
}
