// The matrix editor (templates/profiles/matrix_edit.html), loaded as a file: the
// Content-Security-Policy allows scripts from /static only, never inline.
// Progressive enhancement: mark the rows changed since the page loaded and count them per form
// (one form per department, or one for the whole grid). Saving one department's form also
// sends the rows changed in the other departments' forms, so nothing typed elsewhere is lost;
// without this script each department is saved on its own and the others stay as stored.
(() => {
  const forms = Array.from(document.querySelectorAll("form.mx-form"));
  if (!forms.length) return;
  const changed = (el) => el.type === "checkbox" ? el.checked !== el.defaultChecked
    : el.tagName === "SELECT" ? !el.options[el.selectedIndex].defaultSelected
    : el.value !== el.defaultValue;
  const dirtyRows = (form) => Array.from(form.querySelectorAll("tbody tr")).filter(
    (tr) => Array.from(tr.querySelectorAll("select, input, textarea")).some(changed));
  const update = (form) => {
    const dirty = new Set(dirtyRows(form));
    for (const tr of form.querySelectorAll("tbody tr")) tr.classList.toggle("is-changed", dirty.has(tr));
    const status = form.querySelector(".mx-changes");
    if (status) {
      const n = dirty.size;
      status.textContent = n ? `${n} process${n === 1 ? "" : "es"} changed, not saved yet` : "";
    }
  };
  for (const form of forms) {
    form.addEventListener("change", () => update(form));
    form.addEventListener("input", () => update(form));
    form.addEventListener("submit", () => {
      for (const other of forms) {
        if (other === form) continue;
        for (const tr of dirtyRows(other)) {
          for (const el of tr.querySelectorAll("select, input, textarea")) {
            if (!el.name || (el.type === "checkbox" && !el.checked)) continue;
            const copy = document.createElement("input");
            copy.type = "hidden";
            copy.name = el.name;
            copy.value = el.value;
            form.appendChild(copy);
          }
        }
      }
    });
  }
  document.getElementById("error-summary")?.focus();
})();
