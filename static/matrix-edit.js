// The matrix editor (templates/profiles/matrix_edit.html), loaded as a file: the
// Content-Security-Policy allows scripts from /static only, never inline.
// Progressive enhancement: mark the rows changed since the page loaded and count them.
(() => {
  const form = document.querySelector("form.mx-form");
  const status = document.getElementById("mx-changes");
  if (!form || !status) return;
  const changed = (el) => el.type === "checkbox" ? el.checked !== el.defaultChecked
    : el.tagName === "SELECT" ? !el.options[el.selectedIndex].defaultSelected
    : el.value !== el.defaultValue;
  const update = () => {
    let rows = 0;
    for (const tr of form.querySelectorAll("tbody tr")) {
      const dirty = Array.from(tr.querySelectorAll("select, input, textarea")).some(changed);
      tr.classList.toggle("is-changed", dirty);
      if (dirty) rows += 1;
    }
    status.textContent = rows ? `${rows} process${rows === 1 ? "" : "es"} changed, not saved yet` : "";
  };
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  document.getElementById("error-summary")?.focus();
})();
