import { Command, CommanderError, Option } from 'commander';
import { apiClient, asCliError, CliError, defaultServer, exitCodes, type Connection } from './client';
import { exportLedger } from './export';
import { importInventory, importListings, type ImportReport } from './import';
import { makeOutput, table, type CliIo, type Output } from './output';
import { seedDemoCommand } from './seed-demo';

interface GlobalOptions {
  server: string;
  token?: string;
  json?: boolean;
}

const exitCodeHelp = `
Exit codes: 0 ok, 1 failure (server error, unreachable server, mismatches found),
2 usage (unknown command or option, bad option value), 3 invalid input (rows of
a CSV that fail validation; nothing is written), 4 auth (missing, invalid or
insufficient token).`;

/**
 * The `onhand` command line over the server's tRPC API. Returns the exit
 * code instead of exiting, so tests run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let exitCode: number = exitCodes.ok;
  let out: Output = makeOutput(io, argv.includes('--json'));
  const program = new Command('onhand');
  program
    .description('onhand: one inventory ledger across every place stock sits. Admin and import commands talk to a running server.')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(new Option('--server <url>', 'server URL').env('ONHAND_SERVER').default(defaultServer))
    .addOption(new Option('--token <token>', 'bearer token (admin for tenants/tokens/reconcile/export; seller for import)').env('ONHAND_TOKEN'))
    .option('--json', 'machine-readable JSON output')
    .addHelpText('after', `\nAlso: onhand serve (run the server), onhand migrate (migrate the database).\n${exitCodeHelp}`);

  /** Wraps an action: the connection, the output, errors to exit codes. */
  const action =
    <A extends unknown[]>(run: (ctx: { connection: Connection; out: Output; api: ReturnType<typeof apiClient> }, ...args: A) => Promise<number | void>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      // Commander reads ONHAND_TOKEN into --token; io.env is honoured for in-process callers.
      const connection: Connection = { server: globals.server ?? io.env.ONHAND_SERVER ?? defaultServer, token: globals.token ?? io.env.ONHAND_TOKEN };
      out = makeOutput(io, Boolean(globals.json));
      try {
        exitCode = (await run({ connection, out, api: apiClient(connection) }, ...(args.slice(0, -1) as A))) ?? exitCodes.ok;
      } catch (error) {
        const failure = asCliError(error, connection);
        if (out.json) io.stdout.write(`${JSON.stringify({ error: { message: failure.message, exitCode: failure.exitCode, details: failure.details } }, null, 2)}\n`);
        io.stderr.write(`${out.color.red('error')}: ${failure.message}\n`);
        exitCode = failure.exitCode;
      }
    };

  const tenants = program.command('tenants').description('create, list, suspend and resume tenants (admin token)');
  tenants
    .command('create <name>')
    .description('create a tenant; prints its id')
    .action(
      action(async ({ api, out }, name: string) => {
        const created = await api.admin.tenants.create.mutate({ name });
        out.result(created, () => created.tenantId);
      }),
    );
  tenants
    .command('list')
    .description('list tenants')
    .action(
      action(async ({ api, out }) => {
        const { tenants: rows } = await api.admin.tenants.list.query();
        out.result(rows, () => table([['TENANT', 'STATUS', 'CREATED', 'NAME'], ...rows.map((t) => [t.tenantId, t.status === 'active' ? t.status : out.color.yellow(t.status), t.createdAt, t.name])]));
      }),
    );
  for (const [verb, description] of [
    ['suspend', "suspend a tenant: its seller tokens are refused from the next request on"],
    ['resume', 'resume a suspended tenant'],
  ] as const) {
    tenants
      .command(`${verb} <tenantId>`)
      .description(description)
      .action(
        action(async ({ api, out }, tenantId: string) => {
          const result = await api.admin.tenants[verb].mutate({ tenantId });
          out.result(result, () => `${result.tenantId} ${result.status}`);
        }),
      );
  }

  const tokens = program.command('tokens').description('issue, list and revoke API tokens (admin token)');
  tokens
    .command('issue')
    .description('issue a token; its secret is printed once and never again')
    .addOption(new Option('--role <role>', 'seller (acts on one tenant) or admin').choices(['seller', 'admin']).default('seller'))
    .option('--tenant <tenantId>', 'the tenant of a seller token')
    .requiredOption('--label <label>', 'what the token is for (shown in tokens list)')
    .action(
      action(async ({ api, out }, options: { role: 'seller' | 'admin'; tenant?: string; label: string }) => {
        if (options.role === 'seller' && !options.tenant) throw new CliError('a seller token needs --tenant <tenantId>', exitCodes.usage);
        const issued = await api.admin.tokens.issue.mutate({ role: options.role, label: options.label, ...(options.tenant ? { tenantId: options.tenant } : {}) });
        out.result(issued, () => `${issued.token}\n${out.color.dim(`token id ${issued.tokenId}; the secret above is shown only now`)}`);
      }),
    );
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--tenant <tenantId>', 'only this tenant’s tokens')
    .action(
      action(async ({ api, out }, options: { tenant?: string }) => {
        const { tokens: rows } = await api.admin.tokens.list.query(options.tenant ? { tenantId: options.tenant } : undefined);
        out.result(rows, () =>
          table([['TOKEN', 'ROLE', 'TENANT', 'STATE', 'LABEL'], ...rows.map((t) => [t.tokenId, t.role, t.tenantId ?? '-', t.revokedAt ? out.color.red('revoked') : 'active', t.label])]),
        );
      }),
    );
  tokens
    .command('revoke <tokenId>')
    .description('revoke a token: refused from the next request on')
    .action(
      action(async ({ api, out }, tokenId: string) => {
        const result = await api.admin.tokens.revoke.mutate({ tokenId });
        out.result(result, () => `${result.tokenId} revoked`);
      }),
    );

  program
    .command('reconcile')
    .description('check every balance against its ledger and every published quantity against the rules; exits 1 when something is off')
    .option('--tenant <tenantId>', 'only this tenant')
    .option('--repair', 'rewrite published quantities that disagree with the rules (never the ledger)')
    .action(
      action(async ({ api, out }, options: { tenant?: string; repair?: boolean }) => {
        const result = await api.admin.reconcile.mutate({ ...(options.tenant ? { tenantId: options.tenant } : {}), ...(options.repair ? { repair: true } : {}) });
        const ledgerOk = result.mismatches.length === 0;
        const publishingOk = result.publishing.mismatches.length === result.publishing.repaired;
        out.result(result, () =>
          [
            `${ledgerOk ? out.color.green('ok') : out.color.red('MISMATCH')}  ${result.checked} balances checked against the ledger, ${result.mismatches.length} disagree`,
            ...result.mismatches.map((m) => `    ${m.tenantId} ${m.sourceId} ${m.sku} ${m.bucket}: balance ${m.balance}, ledger ${m.ledgerSum}`),
            `${result.publishing.mismatches.length === 0 ? out.color.green('ok') : publishingOk ? out.color.yellow('repaired') : out.color.red('MISMATCH')}  ${result.publishing.checked} published quantities checked, ${result.publishing.mismatches.length} disagree with the rules${result.publishing.repaired ? `, ${result.publishing.repaired} repaired` : options.repair ? '' : result.publishing.mismatches.length ? ' (--repair fixes them)' : ''}`,
            ...result.publishing.mismatches.map((m) => `    ${m.tenantId} listing ${m.listingId} (${m.sku}): recorded ${m.recorded ?? 'none'}, rules give ${m.expected}`),
          ].join('\n'),
        );
        return ledgerOk && publishingOk ? exitCodes.ok : exitCodes.failure;
      }),
    );

  program
    .command('import <file>')
    .description('import a CSV: inventory (with --source) or listings (with --channel); every row is checked first and nothing is written while any row is bad')
    .option('--source <name|id>', 'inventory CSV: the source the quantities are for (e.g. MF)')
    .option('--channel <channelId>', 'listings CSV: the channel the listings are on')
    .option('--good-rows-only', 'write the good rows even when some are bad')
    .addHelpText(
      'after',
      `
Headers are matched loosely (case, spaces and punctuation ignored):
  inventory: sku | seller sku | item sku | master sku; quantity | qty | on hand | available; optional title (creates unknown products)
  listings:  sku | master sku; seller sku | channel sku | item sku; asin | item id | listing id; fulfilled by (MFN/AFN); status
A BOM, quoted fields and CRLF line ends are fine. Inventory rows go 500 per call, one
transaction each; a row whose count changes nothing writes no ledger entry. Re-running the
same file writes nothing new: each call's key comes from the file's content and its lines.
Uses a seller token. Exits 3 when rows are bad (they are listed with their line numbers).`,
    )
    .action(
      action(async ({ api, out }, file: string, options: { source?: string; channel?: string; goodRowsOnly?: boolean }) => {
        if (Boolean(options.source) === Boolean(options.channel)) throw new CliError('give --source <name> for an inventory CSV or --channel <id> for a listings CSV', exitCodes.usage);
        const goodRowsOnly = Boolean(options.goodRowsOnly);
        const report = options.source
          ? await importInventory(api, out, file, { source: options.source, goodRowsOnly })
          : await importListings(api, out, file, { channel: options.channel!, goodRowsOnly });
        out.result(report, () => describeImport(report, out));
        if (report.failed.length > 0) return exitCodes.failure;
        return report.bad.length > 0 && !report.applied ? exitCodes.invalidInput : exitCodes.ok;
      }),
    );

  const exportCommand = program.command('export').description('export data');
  exportCommand
    .command('ledger')
    .description("stream a tenant's ledger entries (from <= at < to, oldest first) as CSV or JSON lines (admin token)")
    .requiredOption('--tenant <tenantId>', 'the tenant')
    .option('--from <datetime>', 'ISO 8601 date-time, inclusive')
    .option('--to <datetime>', 'ISO 8601 date-time, exclusive')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(
      action(async ({ connection, out }, options: { tenant: string; from?: string; to?: string; format: 'csv' | 'jsonl'; output?: string }) => {
        for (const [flag, value] of [['--from', options.from], ['--to', options.to]] as const) {
          if (value !== undefined && Number.isNaN(Date.parse(value))) throw new CliError(`${flag} ${value}: not a date-time`, exitCodes.usage);
        }
        const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
        const result = await exportLedger(connection, { tenantId: options.tenant, from: iso(options.from), to: iso(options.to) }, options.format, { path: options.output, stdout: io.stdout });
        // The summary goes to stderr: stdout may be the export itself.
        if (options.output) out.result(result, () => `${result.entries} entries written to ${options.output} in ${result.seconds.toFixed(2)} s`);
        else if (!out.json) io.stderr.write(`${result.entries} entries in ${result.seconds.toFixed(2)} s\n`);
      }),
    );

  program
    .command('seed-demo')
    .description('add the demo seller (sources, products with stock, channels, listings, one order) to a database and print a seller token; idempotent')
    .addOption(new Option('--database-url <url>', 'PostgreSQL to seed').env('DATABASE_URL'))
    .addOption(new Option('--data-dir <dir>', 'the embedded database to seed when no URL is given (default ./.onhand/data; stop its server first)').env('ONHAND_DATA_DIR'))
    .addHelpText(
      'after',
      `
Works on the database itself, not through a server (no --server or --token). Running it
again adds nothing: the demo seller is found and every step is repeated with its
idempotency key. Each run prints a new demo seller token (tokens are stored hashed).`,
    )
    .action(
      action(async ({ out }, options: { databaseUrl?: string; dataDir?: string }) => {
        const seeded = await seedDemoCommand({ databaseUrl: options.databaseUrl || undefined, dataDir: options.dataDir || undefined });
        out.result(seeded, () =>
          [
            seeded.created ? `Demo seller seeded in ${seeded.database} (tenant ${seeded.tenantId}).` : `The demo seller was already in ${seeded.database} (tenant ${seeded.tenantId}); nothing new was written.`,
            `Demo seller token: ${seeded.token}`,
            out.color.dim('shown only now; paste it with the server URL into the extension options'),
          ].join('\n'),
        );
      }),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    io.stderr.write(`error: ${asCliError(error).message}\n`);
    return exitCodes.failure;
  }
  return exitCode;
}

function describeImport(report: ImportReport, out: Output): string {
  const lines = [`${report.file}: ${report.rows} rows, ${report.good} good, ${report.bad.length} bad`];
  for (const bad of report.bad.slice(0, 50)) lines.push(`  ${out.color.red(`line ${bad.line}`)}: ${bad.reason}`);
  if (report.bad.length > 50) lines.push(`  … and ${report.bad.length - 50} more (--json lists them all)`);
  if (!report.applied) {
    lines.push(out.color.yellow('nothing written: fix the rows above, or pass --good-rows-only to import the good rows'));
  } else {
    const rate = `${report.seconds.toFixed(1)} s (${Math.round(report.accepted / Math.max(report.seconds, 0.001))} rows/s)`;
    if (report.entriesWritten === undefined) {
      lines.push(`${out.color.green(`${report.accepted} rows imported`)} in ${rate}; rows imported by an earlier run of this file are not written again`);
    } else {
      const unchanged = report.accepted - (report.alreadyImported ?? 0) - report.entriesWritten;
      lines.push(
        `${out.color.green(`${report.accepted} rows imported`)} in ${rate}: ${report.entriesWritten} quantities changed (one ledger entry each), ${unchanged} unchanged, ` +
          `${report.productsCreated ?? 0} products created, ${report.alreadyImported ?? 0} already imported by an earlier run of this file (nothing written again)`,
      );
    }
    for (const failed of report.failed.slice(0, 50)) lines.push(`  ${out.color.red(`line ${failed.line}`)} failed: ${failed.reason}`);
  }
  return lines.join('\n');
}
