import { startSimulator } from './simulator';

// Runs the marketplace simulator on its own, for the demo or by hand:
//   PORT=4100 tsx server/src/marketplace/simulator-main.ts
// Everything else (accounts, faults, webhook) is set through /admin.

const port = Number(process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}

const simulator = await startSimulator({ port });
console.log(`marketplace simulator listening on ${simulator.url}`);

const stop = () => {
  void simulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
