// Initialise GOV.UK Frontend components (character count, error summary, header menu...),
// and the session timeout warning for signed-in people.
import { initAll } from "./vendor/govuk-frontend.min.js";
import { initSessionTimeout } from "./session-timeout.js";

initAll();
initSessionTimeout(document.getElementById("session-timeout"));
