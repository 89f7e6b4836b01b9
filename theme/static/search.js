// 站内搜索: runs the search in the page's address (?q=…&topic=…) against the Pagefind index
// and lists the notices found. The form is a plain GET form; this script only reads it.
//
// The index holds each notice's text as overlapping character pairs, each character written
// as four letters (builder/search.py says why). A query word is written the same way and run
// as a Pagefind phrase, so a result holds the word exactly; words apart are all required.
const PAGE_SIZE = 10;
const FIELDS = ["title", "doc_no", "index_no", "publisher"];  // a record's last paragraphs, in builder/search.py
const WHITESPACE = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
const STOPS = "。；！？：:;!?，,、";  // a paragraph ending in one of these needs none added
const PAIRS = { "（": "）", "(": ")", "《": "》", "〔": "〕", "【": "】", "“": "”", "‘": "’", "[": "]", "「": "」" };
const form = globalThis.document?.querySelector(".search-form");
if (form) search(form);

function code(character) {
  let point = character.codePointAt(0);
  if (point >= 26 ** 4) point = 0xfffd;
  return [3, 2, 1, 0].map((place) => String.fromCharCode(97 + (Math.floor(point / 26 ** place) % 26))).join("");
}

export function wordsOf(query) {
  return query.toLowerCase().split(WHITESPACE).filter(Boolean);
}

// A word as Pagefind is asked for it: its character pairs as a phrase; one character, as the
// start of the pairs it begins.
export function term(word) {
  const characters = [...word];
  if (characters.length === 1) return code(characters[0]);
  return `"${characters.slice(1).map((c, i) => code(characters[i]) + code(c)).join(" ")}"`;
}

// The notices holding every word, in the order Pagefind ranks the first word's.
export async function find(pagefind, query, options) {
  const words = wordsOf(query);
  if (!words.length) return (await pagefind.search(null, options)).results;
  const [first, ...others] = await Promise.all(words.map(async (word) => (await pagefind.search(term(word), options)).results));
  const inAll = others.map((results) => new Set(results.map((result) => result.id)));
  return first.filter((result) => inAll.every((ids) => ids.has(result.id)));
}

// A record's body paragraphs, from its content: each token's first four letters are a character.
export function paragraphs(data) {
  const fields = FIELDS.filter((name) => (data.meta[name] || "").replace(WHITESPACE, "")).length;
  const decoded = data.content.split(".").map((part) => part.trim()).filter(Boolean).map((part) =>
    part.split(/\s+/).map((token) => String.fromCodePoint([...token.slice(0, 4)]
      .reduce((number, letter) => number * 26 + letter.charCodeAt(0) - 97, 0))).join(""));
  return decoded.slice(0, decoded.length - fields);
}

// Where a cut at `at` would split a bracket or a number such as 〔2024〕15号, the nearest cut outside it.
function cut(text, at, towardStart) {
  if (towardStart) while (at > 0 && /[0-9a-z]/.test(text[at - 1])) at--;
  const open = [];
  for (let i = 0; i < at; i++) {
    if (PAIRS[text[i]]) open.push(i);
    else if (open.length && PAIRS[text[open.at(-1)]] === text[i]) open.pop();
  }
  const closing = open.length ? text.indexOf(PAIRS[text[open[0]]], at) : -1;
  if (open.length) at = towardStart || closing < 0 ? open[0] : closing + 1;
  return towardStart ? at : at + text.slice(at).match(/^[0-9a-z]*号?/)[0].length;
}

// The body around the first word found, from a sentence's start where one is near, every word marked;
// built as nodes, never as HTML.
export function excerpt(body, words) {
  const text = body.map((part) => (STOPS.includes(part.at(-1)) ? part : `${part}。`)).join("");
  const found = words.map((word) => text.indexOf(word)).filter((at) => at >= 0);
  const first = found.length ? Math.min(...found) : 0;
  const sentence = Math.max(...[..."。；！？"].map((stop) => text.lastIndexOf(stop, first - 1))) + 1;
  const start = cut(text, first - sentence <= 40 ? sentence : first - 30, true);
  const end = cut(text, Math.min(text.length, Math.max(first + 90, start + 120)), false);
  const nodes = start > 0 ? ["……"] : [];
  let at = start;
  while (at < end) {
    const next = words.map((word) => [text.indexOf(word, at), word]).filter(([where]) => where >= 0 && where < end)
      .sort((a, b) => a[0] - b[0])[0];
    if (!next) break;
    const mark = document.createElement("mark");
    mark.textContent = next[1];
    nodes.push(text.slice(at, next[0]), mark);
    at = next[0] + next[1].length;
  }
  nodes.push(text.slice(at, end) + (end < text.length ? "……" : ""));
  return nodes;
}

function item(data, words) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.className = "notice-link";
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const facts = document.createElement("p");
  facts.className = "notice-facts";
  for (const fact of [data.meta.doc_no, data.meta.publisher, data.meta.date]) {
    if (!fact) continue;
    const span = document.createElement("span");
    span.textContent = fact;
    facts.append(span);
  }
  li.append(link, facts);
  const body = paragraphs(data);
  if (body.length) {
    const text = document.createElement("p");
    text.className = "search-excerpt";
    text.append(...excerpt(body, words));
    li.append(text);
  }
  return li;
}

function readForm(form, params) {
  const filters = {};
  for (const name of ["topic", "publisher", "year", "status"]) {
    const select = form.elements[name];
    select.value = params.get(name) || "";  // a value the list does not offer falls back to 全部
    if (select.value) filters[name] = select.value;
  }
  form.elements.sort.value = params.get("sort") === "date" ? "date" : "";
  form.elements.q.value = (params.get("q") || "").trim();
  return { query: form.elements.q.value, filters, sort: form.elements.sort.value };
}

// The index is one Pagefind bundle per year (a large year has several, named 2024-1, 2024-2 …;
// the notices without a date have "undated"); a search opens the first and merges the others,
// or only the shards of the year filtered on.
async function openIndex(form, year) {
  const root = new URL(form.dataset.siteRoot, location.href);
  const shards = form.dataset.shards.split(" ").filter((name) => name && (!year || name.split("-")[0] === year));
  if (!shards.length) return null;
  const bundle = (name) => new URL(`pagefind/${name}/`, root).href;
  const pagefind = await import(bundle(shards[0]) + "pagefind.js");
  await pagefind.options({ baseUrl: root.pathname });
  for (const name of shards.slice(1)) await pagefind.mergeIndex(bundle(name), { baseUrl: root.pathname });
  return pagefind;
}

// On a narrow screen the filters fold behind one 筛选 button, so the results come first.
function foldFilters(form, active) {
  const filters = form.querySelector(".search-filters");
  const button = form.querySelector(".search-filters-toggle");
  button.hidden = false;
  button.textContent = active ? `筛选（${active}项）` : "筛选";
  button.setAttribute("aria-expanded", "false");
  filters.classList.add("folded");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    filters.classList.toggle("folded", !open);
  });
}

async function search(form) {
  const { query, filters, sort } = readForm(form, new URLSearchParams(location.search));
  foldFilters(form, Object.keys(filters).length + (sort ? 1 : 0));
  if (!query && !Object.keys(filters).length) return;
  const section = document.querySelector(".search-results");
  const heading = document.getElementById("search-results-heading");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-list");
  const more = document.getElementById("search-more");
  section.hidden = false;
  status.textContent = "正在搜索……";
  const { year, ...others } = filters;
  let found;
  try {
    const pagefind = await openIndex(form, year);
    // the undated notices are a shard of their own, and have no year to filter on
    const options = { filters: year === "undated" ? others : filters, sort: sort ? { date: "desc" } : undefined };
    found = pagefind ? await find(pagefind, query, options) : [];
  } catch (error) {
    status.textContent = status.dataset.unavailable;
    return;
  }
  let shown = 0;
  async function showMore() {
    const batch = await Promise.all(found.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
    const items = batch.map((data) => item(data, wordsOf(query)));
    list.append(...items);
    shown += batch.length;
    more.hidden = shown >= found.length;
    return items[0];
  }
  await showMore();
  const what = query ? `与“${query}”有关的` : "符合条件的";
  status.textContent = found.length ? `找到${found.length}份${what}文件。` : `没有找到${what}文件。请换用其他关键词，或减少筛选条件。`;
  let loading = false;
  more.addEventListener("click", async () => {
    if (loading) return;  // a second click while a batch loads would list that batch twice
    loading = true;
    try {
      const first = await showMore();
      if (first) first.querySelector("a").focus();  // keyboard users continue at the first new result
    } finally {
      loading = false;  // a batch that failed to load may be asked for again
    }
  });
  heading.focus();
}
