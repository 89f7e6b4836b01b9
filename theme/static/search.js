// 站内搜索: runs the search in the page's address (?q=…&topic=…) against the Pagefind index
// and lists the notices found. The form is a plain GET form; this script only reads it.
const PAGE_SIZE = 10;
const form = document.querySelector(".search-form");
if (form) search(form);

function readForm(form, params) {
  const filters = {};
  for (const name of ["topic", "publisher", "year"]) {
    const select = form.elements[name];
    select.value = params.get(name) || "";  // a value the list does not offer falls back to 全部
    if (select.value) filters[name] = select.value;
  }
  form.elements.sort.value = params.get("sort") === "date" ? "date" : "";
  form.elements.q.value = (params.get("q") || "").trim();
  return { query: form.elements.q.value, filters, sort: form.elements.sort.value };
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
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  if (words.length && !data.unchecked) {
    excerpt.append(...around(data.content, words));
  } else {
    // Pagefind's own excerpt: the page's text, escaped, with <mark> around each matching character
    excerpt.innerHTML = data.excerpt.replaceAll("</mark><mark>", "");
  }
  li.append(link, facts, excerpt);
  return li;
}

// The text around the first word found, every found word marked; built as nodes, never as HTML.
function around(content, words) {
  const flat = content.replace(/\s+/g, " ");
  const lower = flat.toLowerCase();
  const first = Math.min(...words.map((word) => lower.indexOf(word)).filter((at) => at >= 0), flat.length);
  const start = Math.max(0, first - 30);
  const end = Math.min(flat.length, first + 90);
  const nodes = start > 0 ? ["……"] : [];
  let at = start;
  while (at < end) {
    const next = words.map((word) => [lower.indexOf(word, at), word]).filter(([found]) => found >= 0 && found < end)
      .sort((a, b) => a[0] - b[0])[0];
    if (!next) break;
    const [found, word] = next;
    nodes.push(flat.slice(at, found));
    const mark = document.createElement("mark");
    mark.textContent = flat.slice(found, found + word.length);
    nodes.push(mark);
    at = found + word.length;
  }
  nodes.push(flat.slice(at, end) + (end < flat.length ? "……" : ""));
  return nodes;
}

// Chinese is written without spaces, and Pagefind matches a query's characters loosely: 双减
// also finds 减轻, 量子 finds 高质量. So results are checked against the words as typed
// (every space-separated word must occur in the notice), while Pagefind keeps its order.
// A broad query with more than CHECK_LIMIT candidates is left unchecked: the check loads
// every candidate's text, and such a query's results contain its words anyway.
const CHECK_LIMIT = 200;

function text(data) {
  const { title = "", doc_no = "", publisher = "" } = data.meta;
  return [title, doc_no, publisher, data.content].join(" ").replace(/\s+/g, "").toLowerCase();
}

// The index is one Pagefind bundle per year (a large year has several, named 2024-1, 2024-2 …);
// a search opens the first and merges the others, or only the shards of the year filtered on.
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

function wordsOf(query) {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

async function find(pagefind, query, options) {
  const ranked = (await pagefind.search(query || null, options)).results;
  const words = wordsOf(query);
  if (!words.length || query.includes('"') || ranked.length > CHECK_LIMIT) {
    return ranked.map((result) => async () => ({ ...(await result.data()), unchecked: true }));
  }
  const loaded = await Promise.all(ranked.map((result) => result.data()));
  return loaded.filter((data) => words.every((word) => text(data).includes(word))).map((data) => () => data);
}

async function search(form) {
  const { query, filters, sort } = readForm(form, new URLSearchParams(location.search));
  if (!query && !Object.keys(filters).length) return;
  const section = document.querySelector(".search-results");
  const heading = document.getElementById("search-results-heading");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-list");
  const more = document.getElementById("search-more");
  section.hidden = false;
  status.textContent = "正在搜索……";
  let found;
  try {
    const pagefind = await openIndex(form, filters.year);
    found = pagefind ? await find(pagefind, query, { filters, sort: sort ? { date: "desc" } : undefined }) : [];
  } catch (error) {
    status.textContent = "搜索暂时无法使用。请按主题分类、发布机构或年度归档查找文件。";
    return;
  }
  let shown = 0;
  async function showMore() {
    const batch = await Promise.all(found.slice(shown, shown + PAGE_SIZE).map((load) => load()));
    const items = batch.map((data) => item(data, wordsOf(query)));
    list.append(...items);
    shown += batch.length;
    more.hidden = shown >= found.length;
    return items[0];
  }
  await showMore();
  const what = query ? `与“${query}”有关的` : "符合条件的";
  status.textContent = found.length ? `找到${found.length}份${what}文件。` : `没有找到${what}文件。请换用其他关键词，或减少筛选条件。`;
  more.addEventListener("click", async () => {
    const first = await showMore();
    if (first) first.querySelector("a").focus();  // keyboard users continue at the first new result
  });
  heading.focus();
}
