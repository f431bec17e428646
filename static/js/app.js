// Initialise GOV.UK Frontend components (character count, error summary, header menu...),
// the session timeout warning for signed-in people, and the upload size check.
import { initAll } from "./vendor/govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";
import { initFileSizeChecks } from "./file-size.js";

initFileSizeChecks(document);
initAll();
initSessionTimeout(document.getElementById("session-timeout"));
