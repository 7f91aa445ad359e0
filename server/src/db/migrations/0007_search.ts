import { sql, type Kysely } from 'kysely';

// The popup's quick inventory check over a whole catalogue (100,000 SKUs and
// more): indexes for search, a SKU's open orders and the "needs attention"
// counts, and the listings portal pages show drifting.
//
// Search compares case-folded text. The b-trees are on `lower(x) collate "C"`:
// byte order lets one index serve both a prefix (a range) and the order the
// results are listed in, whatever the database's locale.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index products_search_sku on products (tenant_id, (lower(sku) collate "C"))`.execute(db);
  await sql`create index products_search_title on products (tenant_id, (lower(title) collate "C"))`.execute(db);
  await sql`create index listings_search_channel_sku on listings (tenant_id, (lower(channel_sku) collate "C")) where sku is not null and channel_sku is not null`.execute(db);
  await sql`create index listings_search_external_id on listings (tenant_id, (lower(external_id) collate "C")) where sku is not null and external_id is not null`.execute(db);

  // Substring ("%q%") needs trigram indexes. pg_trgm ships with PostgreSQL's
  // contrib; PGlite has it only when the database is opened with the
  // extension loaded. Without it search still works (a scan of the tenant's
  // rows), only slower: so the extension is optional here.
  await sql`
    do $$
    begin
      create extension if not exists pg_trgm;
    exception when others then
      raise notice 'pg_trgm is not available: substring search scans';
    end $$`.execute(db);
  const trigrams = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'pg_trgm'`.execute(db);
  if ((trigrams.rows[0]?.n ?? 0) > 0) {
    await sql`create index products_trgm_sku on products using gin (lower(sku) gin_trgm_ops)`.execute(db);
    await sql`create index products_trgm_title on products using gin (lower(title) gin_trgm_ops)`.execute(db);
    await sql`create index listings_trgm_channel_sku on listings using gin (lower(channel_sku) gin_trgm_ops) where sku is not null`.execute(db);
    await sql`create index listings_trgm_external_id on listings using gin (lower(external_id) gin_trgm_ops) where sku is not null`.execute(db);
  }

  // Row-level security (0006) evaluates a query's own conditions after the
  // policy, and lets an index evaluate only leakproof ones: `lower()` and
  // LIKE are not, so under the policy every search read all of the tenant's
  // rows (~1 s at 100,000 SKUs). The search therefore runs in this function,
  // as the tables' owner (to whom the policy does not apply), and keeps to
  // the caller's tenant itself, from the same setting the policy reads: no
  // tenant set, no rows.
  await sql`
    create function catalog_search_matches(query text, max_results integer)
    returns table (sku text, rank integer, key text, matched_on text)
    language plpgsql stable security definer
    set search_path = pg_catalog, public
    -- Planned for each query's own text: a plan cached for any text cannot
    -- tell a rare substring (trigram index) from a common one (walk the
    -- b-tree in order until the list is full), and guessed wrong cost 100 ms.
    set plan_cache_mode = force_custom_plan
    as $fn$
    #variable_conflict use_column
    declare
      tenant text := current_setting('onhand.tenant_id', true);
      low text := lower(query);
      -- Everything starting with low sorts (byte order) between low and low + the last code point.
      high text := lower(query) || chr(1114111);
      anywhere text := '%' || replace(replace(replace(lower(query), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%';
      found integer;
    begin
      if coalesce(tenant, '') = '' or query = '' or max_results < 1 then
        return;
      end if;
      -- Ranks: 0 SKU prefix, 1 listing identifier prefix, 2 title prefix, 3 substring anywhere.
      return query
        select b.sku, b.rank, b.key, b.matched_on from (
          select distinct on (h.sku) h.sku, h.rank, h.key, h.matched_on from (
            (select p.sku, 0, lower(p.sku) collate "C", 'sku' from products p
              where p.tenant_id = tenant and lower(p.sku) collate "C" >= low and lower(p.sku) collate "C" < high order by 3 limit max_results)
            union all
            (select l.sku, 1, lower(l.channel_sku) collate "C", 'listing' from listings l
              where l.tenant_id = tenant and l.sku is not null and l.channel_sku is not null
                and lower(l.channel_sku) collate "C" >= low and lower(l.channel_sku) collate "C" < high order by 3 limit max_results)
            union all
            (select l.sku, 1, lower(l.external_id) collate "C", 'listing' from listings l
              where l.tenant_id = tenant and l.sku is not null and l.external_id is not null
                and lower(l.external_id) collate "C" >= low and lower(l.external_id) collate "C" < high order by 3 limit max_results)
            union all
            (select p.sku, 2, lower(p.title) collate "C", 'title' from products p
              where p.tenant_id = tenant and lower(p.title) collate "C" >= low and lower(p.title) collate "C" < high order by 3 limit max_results)
          ) h (sku, rank, key, matched_on)
          -- One row per SKU, its best; a SKU matched by its own text before one matched through a listing.
          order by h.sku, h.rank, h.key, h.matched_on = 'listing'
        ) b
        order by b.rank, b.key, b.sku
        limit max_results;
      get diagnostics found = row_count;
      -- Prefixes filled the list, or the query is a whole SKU or identifier (typed or pasted): no substrings.
      if found >= max_results
        or exists (select from products p where p.tenant_id = tenant and lower(p.sku) collate "C" = low)
        or exists (select from listings l where l.tenant_id = tenant and l.sku is not null and l.channel_sku is not null and lower(l.channel_sku) collate "C" = low)
        or exists (select from listings l where l.tenant_id = tenant and l.sku is not null and l.external_id is not null and lower(l.external_id) collate "C" = low) then
        return;
      end if;
      return query
        select b.sku, b.rank, b.key, b.matched_on from (
          select distinct on (h.sku) h.sku, h.rank, h.key, h.matched_on from (
            (select p.sku, 3, lower(p.sku) collate "C", case when lower(p.sku) like anywhere then 'sku' else 'title' end from products p
              where p.tenant_id = tenant and (lower(p.sku) like anywhere or lower(p.title) like anywhere) order by 3 limit max_results)
            union all
            (select l.sku, 3, lower(l.sku) collate "C", 'listing' from listings l
              where l.tenant_id = tenant and l.sku is not null and (lower(l.channel_sku) like anywhere or lower(l.external_id) like anywhere)
              order by 3 limit max_results)
          ) h (sku, rank, key, matched_on)
          order by h.sku, h.rank, h.key, h.matched_on = 'listing'
        ) b
        order by b.key, b.sku
        limit max_results;
    end
    $fn$`.execute(db);
  await sql`revoke all on function catalog_search_matches(text, integer) from public`.execute(db);
  await sql`
    do $$
    begin
      if exists (select from pg_roles where rolname = 'onhand_app') then
        grant execute on function catalog_search_matches(text, integer) to onhand_app;
      end if;
    end $$`.execute(db);

  // A SKU's open orders (orders.list with `sku`).
  await sql`create index order_lines_by_sku on order_lines (tenant_id, sku, order_id) where sku is not null`.execute(db);

  // "Needs attention" counts on every change (the toolbar badge): untracked
  // listings and failed pushes by index, not by reading every listing.
  await sql`create index listings_untracked on listings (tenant_id, created_at, id) where status = 'untracked'`.execute(db);
  await sql`create index listing_pushes_failed on listing_pushes (tenant_id, listing_id) where state = 'failed'`.execute(db);

  // Tracked listings a portal page last showed with another quantity than
  // onhand published at that moment (one row per drifting listing; a page
  // showing the published quantity again removes it). Written from the
  // page's lookup; "needs attention" lists the ones still drifting.
  await db.schema
    .createTable('listing_drift')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('listing_id', 'text', (c) => c.notNull())
    .addColumn('displayed_quantity', 'integer', (c) => c.notNull())
    .addColumn('published_quantity', 'integer', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('listing_drift_pk', ['tenant_id', 'listing_id'])
    .addForeignKeyConstraint('listing_drift_listing_fk', ['tenant_id', 'listing_id'], 'listings', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  // Row-level security like every tenant table (migration 0006): the policy,
  // and the application role's grant when that role exists.
  await sql`alter table listing_drift enable row level security`.execute(db);
  await sql`
    create policy tenant_isolation on listing_drift
    using (tenant_id = current_setting('onhand.tenant_id', true) or current_setting('onhand.platform', true) = 'on')`.execute(db);
  await sql`
    do $$
    begin
      if exists (select from pg_roles where rolname = 'onhand_app') then
        grant select, insert, update, delete on listing_drift to onhand_app;
      end if;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('listing_drift').execute();
  await sql`drop function catalog_search_matches(text, integer)`.execute(db);
  for (const index of ['order_lines_by_sku', 'listings_untracked', 'listing_pushes_failed']) {
    await sql`drop index ${sql.id(index)}`.execute(db);
  }
  for (const index of ['products_trgm_sku', 'products_trgm_title', 'listings_trgm_channel_sku', 'listings_trgm_external_id']) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  }
  for (const index of ['products_search_sku', 'products_search_title', 'listings_search_channel_sku', 'listings_search_external_id']) {
    await sql`drop index ${sql.id(index)}`.execute(db);
  }
}
