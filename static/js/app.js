// Initialise GOV.UK Frontend components (character count, error summary, header menu...).
import { initAll } from "./vendor/govuk-frontend.min.js";

initAll();
