import { defineConfig } from 'wxt';

// The extension's sources live in extension/; the config sits at the
// workspace root so `wxt build` runs from the top like every other command.
export default defineConfig({
  srcDir: 'extension',
  outDir: 'extension/.output',
  imports: false,
  manifest: {
    name: 'onhand',
    version: '0.1.0',
    description: 'Live inventory from onhand on your seller portals.',
    // alarms: wakes a stopped service worker to reconnect the live stream and
    // refresh the icon badge (background/keep-alive.ts).
    permissions: ['storage', 'alarms'],
    // The background talks to a local server out of the box; another server is
    // asked for when the seller saves it in the options (optional permission).
    // Portal pages need no host permission: their content scripts match them.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
  },
  vite: () => ({
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  }),
});
