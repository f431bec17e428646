// The partnership matrix: a cell link that gets focus is brought wholly into view, clear of the sticky header
// row and organisation column (WCAG 2.2, 2.4.11). Browsers scroll a focused element only when it is wholly out
// of view (the region's scroll-padding covers that case), so one partly cut off at an edge would stay so.
export function keepFocusInView(region) {
  if (!region) {
    return;
  }
  region.addEventListener("focusin", (event) => {
    if (event.target !== region) {
      event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
}
