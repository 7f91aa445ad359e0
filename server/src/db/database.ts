import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * Row types of every table: the one source for them. Migrations do not import
 * this file (they describe the schema as it was when they were written).
 * int8 columns are cast to int in SQL where read, so both drivers (node-pg
 * returns int8 as string, PGlite as number) yield numbers.
 */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface TenantsTable {
  id: string;
  name: string;
  status: Generated<'active' | 'suspended'>;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: string;
  tenant_id: string | null;
  role: 'seller' | 'admin';
  label: string;
  token_hash: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface SourcesTable {
  tenant_id: string;
  id: string;
  name: string;
  kind: 'merchant' | 'fba' | 'deliverr' | '3pl';
  is_default: boolean;
  auto_fulfill: boolean;
  ships_to: string[];
  priority: number;
  created_at: CreatedAt;
}

export interface ProductsTable {
  tenant_id: string;
  sku: string;
  title: string;
  is_bundle: boolean;
  created_at: CreatedAt;
}

export interface BundleComponentsTable {
  tenant_id: string;
  bundle_sku: string;
  component_sku: string;
  quantity: number;
}

export interface BalancesTable {
  tenant_id: string;
  source_id: string;
  sku: string;
  on_hand: number;
  committed: number;
  /** Last time someone counted or received stock here (seed reason 2). */
  last_counted_at: Date | null;
  updated_at: Date;
  /** When available went below zero; null while it is ≥ 0. */
  negative_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface LedgerEntriesTable {
  tenant_id: string;
  id: ColumnType<string, never, never>;
  at: ColumnType<Date, Date | string | undefined, never>;
  source_id: string;
  sku: string;
  bucket: 'on_hand' | 'committed';
  delta: number;
  balance_after: number;
  reason: string;
  actor: string;
  order_id: string | null;
  order_line_id: string | null;
  note: string | null;
  idempotency_key: string | null;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  procedure: string;
  request_hash: string;
  response: unknown;
  created_at: CreatedAt;
}

export interface TenantSettingsTable {
  tenant_id: string;
  inventory_managed_elsewhere: boolean;
  not_counted_after_days: number;
}

export type Marketplace = 'amazon' | 'ebay' | 'walmart' | 'shopify' | 'etsy';

export interface ChannelsTable {
  tenant_id: string;
  id: string;
  marketplace: Marketplace;
  region: string;
  name: string;
  created_at: CreatedAt;
}

export interface ChannelSourcesTable {
  tenant_id: string;
  channel_id: string;
  source_id: string;
  position: number;
}

export interface ListingsTable {
  tenant_id: string;
  id: string;
  channel_id: string;
  sku: string | null;
  channel_sku: string | null;
  external_id: string | null;
  title: string | null;
  fulfilled_by: 'merchant' | 'marketplace';
  status: 'tracked' | 'untracked';
  displayed_quantity: number | null;
  rule_percent: number | null;
  rule_buffer: number | null;
  rule_max: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type OrderStatus = 'open' | 'shipped' | 'cancelled';
export type LineState = 'allocated' | 'unmatched' | 'cancelled' | 'shipped';

export interface OrdersTable {
  tenant_id: string;
  id: string;
  channel_id: string;
  external_order_id: string;
  placed_at: Date | string;
  ship_to_country: string;
  status: OrderStatus;
  request_hash: string;
  created_at: CreatedAt;
}

export interface OrderLinesTable {
  tenant_id: string;
  id: string;
  order_id: string;
  position: number;
  external_line_id: string;
  channel_sku: string | null;
  external_id: string | null;
  listing_id: string | null;
  sku: string | null;
  quantity: number;
  source_id: string | null;
  reason: string;
  trace: ColumnType<{ sourceId: string; skipped: string }[], string, string>;
  expected_source_id: string | null;
  state: LineState;
}

export interface OrderLineAllocationsTable {
  tenant_id: string;
  line_id: string;
  source_id: string;
  sku: string;
  quantity: number;
}

export interface OrderTombstonesTable {
  tenant_id: string;
  channel_id: string;
  external_order_id: string;
  created_at: CreatedAt;
}

export type EventKind = 'balance' | 'listing' | 'order' | 'push';

export interface EventsTable {
  tenant_id: string;
  id: ColumnType<string, never, never>;
  seq: ColumnType<string | null, never, string | null>;
  at: ColumnType<Date, never, never>;
  kind: EventKind;
  payload: ColumnType<Record<string, unknown>, string, string>;
}

export type PushState = 'pending' | 'pushed' | 'acknowledged' | 'failed';

export interface ListingPushesTable {
  tenant_id: string;
  listing_id: string;
  desired: number;
  version: number;
  state: PushState;
  pushed: number | null;
  acknowledged: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  lease_until: Date | null;
  desired_at: Date;
  pushed_at: Date | null;
  acknowledged_at: Date | null;
}

export interface Database {
  tenants: TenantsTable;
  api_tokens: ApiTokensTable;
  sources: SourcesTable;
  products: ProductsTable;
  bundle_components: BundleComponentsTable;
  balances: BalancesTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  tenant_settings: TenantSettingsTable;
  channels: ChannelsTable;
  channel_sources: ChannelSourcesTable;
  listings: ListingsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  order_line_allocations: OrderLineAllocationsTable;
  order_tombstones: OrderTombstonesTable;
  events: EventsTable;
  listing_pushes: ListingPushesTable;
}

export type Db = Kysely<Database>;
/** Repositories take either the pool or a transaction. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>;
