/** The app's engine side: AppService (the contract's handlers) and what the shells need beside it. */
export { AppService, type AppServiceOptions, type CatalogLike } from './app-service.js';
export { type BatchListener, EventHub } from './event-hub.js';
export { effectiveLimits } from './plugin-prefs.js';
export { type RunPolicy, runPolicyFor } from './run-policy.js';
export { appDataDir, type KeyValueStore, openStore, STORE_NAMES } from './stores.js';
export { fileTokenStore, type TokenStore } from './token-store.js';
