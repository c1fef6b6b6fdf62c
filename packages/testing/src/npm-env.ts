/**
 * The environment for an `npm` child process. npm run from inside a pnpm script inherits pnpm's npm_config_*
 * settings, which would change what npm installs; keep only the registry, proxy and cache ones.
 */
export function cleanNpmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|.*:registry|proxy|https_proxy|noproxy|cafile|strict_ssl|cache)$/i;
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^npm_/i.test(key) && !keep.test(key)) continue;
    out[key] = value;
  }
  out.npm_config_update_notifier = "false";
  return out;
}
