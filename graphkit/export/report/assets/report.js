// Charts, sortable tables and search for the graphkit report. Runs after the Vega bundle,
// which sets window.vegaEmbed; the page's root gets data-charts="drawn" (or "failed") when
// every chart has been drawn.
const root = document.documentElement;
const views = [];

async function drawCharts() {
  const specs = JSON.parse(document.getElementById("chart-specs").textContent);
  try {
    const results = await Promise.all(
      Object.entries(specs).map(([id, spec]) =>
        window.vegaEmbed(`#${id}`, spec, { renderer: "svg", actions: false }),
      ),
    );
    for (const result of results) views.push(result.view);
    root.dataset.charts = "drawn";
  } catch (error) {
    root.dataset.charts = "failed";
    root.dataset.chartError = String(error);
    console.error("graphkit report: a chart failed to draw:", error);
  }
}

function cellValue(row, index, numeric) {
  const cell = row.cells[index];
  const raw = cell.dataset.value ?? cell.textContent;
  if (raw === "") return null;
  return numeric ? Number(raw) : raw.toLowerCase();
}

function sortTable(table, index, header) {
  const numeric = header.dataset.type === "number";
  const current = header.getAttribute("aria-sort");
  const ascending = current ? current === "descending" : !numeric;
  for (const other of header.parentElement.cells) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = [...body.rows].map((row, position) => ({ row, position, key: cellValue(row, index, numeric) }));
  rows.sort((a, b) => {
    if (a.key === null || b.key === null) {
      return a.key === b.key ? a.position - b.position : a.key === null ? 1 : -1;
    }
    const order = numeric ? a.key - b.key : a.key.localeCompare(b.key);
    return (ascending ? order : -order) || a.position - b.position;
  });
  body.append(...rows.map((item) => item.row));
}

function makeSortable(table) {
  [...table.tHead.rows[0].cells].forEach((header, index) => {
    header.tabIndex = 0;
    header.title = "Sort by this column";
    header.addEventListener("click", () => sortTable(table, index, header));
    header.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sortTable(table, index, header);
      }
    });
  });
}

function makeSearchable(input) {
  const table = document.getElementById(input.dataset.filter);
  const count = document.getElementById(`${input.dataset.filter}-count`);
  const rows = [...table.tBodies[0].rows];
  const update = () => {
    const query = input.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const match = query === "" || row.textContent.toLowerCase().includes(query);
      row.hidden = !match;
      shown += match ? 1 : 0;
    }
    count.textContent = query === "" ? `${rows.length} rows` : `${shown} of ${rows.length} rows`;
  };
  input.addEventListener("input", update);
  update();
}

// Each download link carries its table as a base64 data: address, which works without
// scripts; browsers refuse data: addresses over 2 MB (Chromium), so the link gets a Blob.
function blobLinks() {
  for (const link of document.querySelectorAll("a.download[href^='data:']")) {
    const [head, payload] = link.getAttribute("href").split(",");
    const type = head.slice("data:".length).replace(";base64", "");
    const bytes = Uint8Array.from(atob(payload), (character) => character.charCodeAt(0));
    link.href = URL.createObjectURL(new Blob([bytes], { type }));
  }
}

blobLinks();
document.querySelectorAll("table.sortable").forEach(makeSortable);
document.querySelectorAll("input[data-filter]").forEach(makeSearchable);
window.addEventListener("beforeprint", () => {
  for (const view of views) view.resize();
});
drawCharts();
