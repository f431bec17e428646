// Initialise GOV.UK Frontend components (character count, error summary, header menu...),
// the session timeout warning for signed-in people, the upload size check, and the partnership matrix's
// focus handling.
import { initAll } from "./vendor/govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";
import { initFileSizeChecks } from "./file-size.js";
import { keepFocusInView } from "./matrix-focus.js";

initFileSizeChecks(document);
initAll();
initSessionTimeout(document.getElementById("session-timeout"));
keepFocusInView(document.querySelector(".app-matrix"));
