export { startServer, type RunningServer, type StartServerOptions } from './http/server';
export type { AppRouter } from './trpc/router';
export type { DemoTenant } from './seed/demo';
