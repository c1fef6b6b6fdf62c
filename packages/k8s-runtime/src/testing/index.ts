// Test helpers for e2e suites of packages built on k8s-runtime (not needed at runtime).
export { FaultProxy, type ProxyConnection } from "./fault-proxy.js";
