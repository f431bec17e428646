// Keeps a working person signed in, and warns an idle one before the session ends.
// Typing, clicking and touching count as activity: at most every few minutes they tell the server, so a
// long answer typed over 40 minutes is never lost to the 30-minute idle timeout. With no activity, a dialog
// offers "Stay signed in" before the end; after it, the page stays as it is so unsaved text can be copied.
export function initSessionTimeout(dialog) {
  if (!dialog || typeof dialog.showModal !== "function") return;
  const timeout = Number(dialog.dataset.timeoutSeconds) * 1000;
  const lead = Math.min(5 * 60 * 1000, timeout / 4); // warn this long before the end
  const pingEvery = Math.min(5 * 60 * 1000, timeout / 4);
  const url = dialog.dataset.keepAliveUrl;
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const remaining = dialog.querySelector("[data-remaining]");
  const expired = dialog.querySelector(".app-timeout__expired");
  const button = dialog.querySelector("[data-stay-signed-in]");
  let lastContact = Date.now();
  let ended = false;

  async function keepAlive() {
    lastContact = Date.now();
    const response = await fetch(url, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" });
    if (!response.ok) end();
  }

  function end() {
    ended = true;
    expired.hidden = false;
    button.hidden = true;
    dialog.querySelector("h2").textContent = "You have been signed out";
    if (!dialog.open) dialog.showModal();
  }

  function minutesText(ms) {
    const seconds = Math.max(1, Math.round(ms / 1000));
    if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
    const minutes = Math.round(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }

  function onActivity() {
    if (!ended && !dialog.open && Date.now() - lastContact > pingEvery) keepAlive();
  }

  ["keydown", "input", "mousedown", "touchstart"].forEach((name) =>
    document.addEventListener(name, onActivity, { passive: true, capture: true }));
  button.addEventListener("click", () => { dialog.close(); keepAlive(); });
  dialog.addEventListener("cancel", (event) => { // Escape means "stay signed in" too
    if (ended) { event.preventDefault(); return; }
    keepAlive();
  });

  setInterval(() => {
    if (ended) return;
    const idle = Date.now() - lastContact;
    if (idle >= timeout) end();
    else if (idle >= timeout - lead && !dialog.open) {
      remaining.textContent = minutesText(timeout - idle);
      dialog.showModal();
    }
  }, Math.min(1000, lead / 4));
}
