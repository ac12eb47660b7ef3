// A "Copier" button after each copyable value; without JavaScript the values stay selectable.
document.querySelectorAll("code.copyable").forEach((code) => {
  if (!navigator.clipboard) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  const label = document.documentElement.lang === "en" ? "Copy" : "Copier";
  button.textContent = label;
  button.setAttribute("aria-label", `${label} ${code.textContent}`);
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(code.textContent).then(() => {
      button.textContent = document.documentElement.lang === "en" ? "Copied" : "Copié";
    });
  });
  code.after(" ", button);
});
