// A file over the upload limit is refused in the browser, before anything is sent: the server could only
// refuse the whole request, and with it everything typed in the same form. The server checks again anyway.
// Each <input type="file" data-max-bytes="…" data-max-message="…"> is checked when its form is submitted;
// a file too large gets the field's error message, as GOV.UK Frontend draws one, and focus.

function showError(input, message) {
  const group = input.closest(".govuk-form-group");
  const id = `${input.id}-size-error`;
  let error = document.getElementById(id);
  if (!error) {
    error = document.createElement("p");
    error.id = id;
    error.className = "govuk-error-message";
    input.before(error);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
  }
  error.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
  error.append(document.createTextNode(message));
  group?.classList.add("govuk-form-group--error");
  input.classList.add("govuk-file-upload--error");
  if (!document.title.startsWith("Error: ")) {
    document.title = `Error: ${document.title}`;
  }
  input.focus();
}

function clearError(input) {
  document.getElementById(`${input.id}-size-error`)?.remove();
  input.classList.remove("govuk-file-upload--error");
  if (!input.closest(".govuk-form-group")?.querySelector(".govuk-error-message")) {
    input.closest(".govuk-form-group")?.classList.remove("govuk-form-group--error");
  }
}

export function initFileSizeChecks(root) {
  for (const input of root.querySelectorAll("input[type=file][data-max-bytes]")) {
    const limit = Number(input.dataset.maxBytes);
    input.addEventListener("change", () => clearError(input));
    input.form?.addEventListener("submit", (event) => {
      const tooBig = Array.from(input.files || []).some((file) => file.size > limit);
      if (tooBig) {
        event.preventDefault();
        event.stopImmediatePropagation();
        showError(input, input.dataset.maxMessage);
      }
    });
  }
}
