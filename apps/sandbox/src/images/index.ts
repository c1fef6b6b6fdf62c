import type { LocalClusterConfig } from "../cluster/config.js";
import { ensureImageArchive, type ImageRecipe } from "./oci.js";
import { type PaperclipRecipeOptions, paperclipRecipe } from "./paperclip.js";
import { claudeRecipe, pauseRecipe, toolsRecipe } from "./recipes.js";

export { importImage, listImages } from "./oci.js";
export { paperclipImageRef } from "./paperclip.js";
export { IMAGE_USER } from "./recipes.js";

export interface BuiltImage {
  ref: string;
  archive: string;
}

/** The recipes of every image the local cluster imports: pause, tools, one claude image per CLI version. */
export async function imageRecipes(config: LocalClusterConfig): Promise<ImageRecipe[]> {
  return Promise.all([
    pauseRecipe(config.cacheDir, config.images.pause),
    toolsRecipe(config.cacheDir, config.images.tools),
    ...config.claudeVersions.map((v) => claudeRecipe(config.cacheDir, config.images.claude(v), v)),
  ]);
}

/** Builds (or finds cached) OCI archives for every image; sequential, to spare a shared 2-core box. */
export async function ensureImages(
  config: LocalClusterConfig,
  log: (line: string) => void = () => {},
): Promise<BuiltImage[]> {
  const built: BuiltImage[] = [];
  for (const recipe of await imageRecipes(config)) {
    log(`image ${recipe.ref}`);
    built.push({ ref: recipe.ref, archive: await ensureImageArchive(config.cacheDir, recipe) });
  }
  return built;
}

/** The Paperclip image (not part of `up`: only the in-cluster suites need it); built once per version. */
export async function ensurePaperclipImage(
  config: LocalClusterConfig,
  options: PaperclipRecipeOptions = {},
): Promise<BuiltImage> {
  const recipe = await paperclipRecipe(config.cacheDir, options);
  return { ref: recipe.ref, archive: await ensureImageArchive(config.cacheDir, recipe) };
}
