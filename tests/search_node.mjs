// Runs queries through the 搜索 page's own find() (theme/static/search.js) against a built
// site's Pagefind index, in Node: what the page does, without a browser.
// Input (stdin, JSON): {"site": folder, "queries": [query or {query, filters}, …]}; output: the
// URLs found, per query.
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { find } from "../theme/static/search.js";

const realFetch = globalThis.fetch;
globalThis.fetch = async (input) => {  // Pagefind fetches its files; here they are read from disk
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith("file:")) return realFetch(input);
  try {
    return new Response(await readFile(fileURLToPath(url.split("?")[0])));
  } catch {
    return new Response("", { status: 404 });
  }
};
// The search page's <html lang>, which makes Pagefind segment a query as the page does
globalThis.document = { currentScript: null, querySelector: () => ({ getAttribute: () => "zh-CN" }) };

const { site, queries } = JSON.parse(readFileSync(0, "utf-8"));
const shards = readdirSync(`${site}/pagefind`).sort().reverse();
const bundle = (name) => pathToFileURL(`${site}/pagefind/${name}/`).href;
const pagefind = await import(bundle(shards[0]) + "pagefind.js");
await pagefind.options({ basePath: bundle(shards[0]), baseUrl: "/" });
for (const name of shards.slice(1)) await pagefind.mergeIndex(bundle(name), { baseUrl: "/" });
const found = [];
for (const asked of queries) {
  const { query, filters } = typeof asked === "string" ? { query: asked, filters: undefined } : asked;
  const results = await find(pagefind, query, filters ? { filters } : {});
  found.push(await Promise.all(results.map(async (result) => (await result.data()).url)));
}
process.stdout.write(JSON.stringify(found));
