/*
 * The article editor (the admin's article page). A file of its own, as the site's
 * Content-Security-Policy runs no inline script. It does four things:
 *
 * - Claims: gives each section its copy of the page's one template of a new claim, before
 *   nested_admin sets up the sections' "Add another claim" (see giveEachSectionItsClaimTemplate).
 * - Citations: adds, removes and moves a claim's citation rows, and turns each row's
 *   reference into a search of the library (the admin's autocomplete view, through Select2).
 *   The rows post the citations formset the admin expects (see _inline_tabular.html).
 * - Text boxes that fit their text, where the browser cannot (CSS `field-sizing: content`
 *   does it in Chromium; admin-article.css).
 * - A warning before leaving the page with changes not saved.
 */
"use strict";

function startArticleEditor() {
  const form = document.getElementById("article_form");
  if (!form) {
    return;
  }

  // ---------------------------------------------------------------- citations
  const rowTemplate = document.getElementById("citation-row-template");

  function jQueryWithSelect2() {
    const jq = window.django && window.django.jQuery;
    return jq && jq.fn.select2 ? jq : null;
  }

  function makePicker(select) {
    const jq = jQueryWithSelect2();
    if (!jq || !rowTemplate) {
      return;
    }
    const config = rowTemplate.dataset;
    jq(select).select2({
      theme: "admin-autocomplete",
      width: "style",
      ajax: {
        url: config.autocompleteUrl,
        dataType: "json",
        delay: 250,
        cache: true,
        data: (params) => ({
          term: params.term,
          page: params.page,
          app_label: config.appLabel,
          model_name: config.modelName,
          field_name: config.fieldName,
        }),
      },
    });
  }

  function formsetPrefix(citations) {
    const total = citations.querySelector('input[name$="-TOTAL_FORMS"]');
    return total ? total.name.slice(0, -"-TOTAL_FORMS".length) : null;
  }

  // Positions follow the rows' order on the page; set only once the editor moves something,
  // so that an untouched page posts the positions it was given.
  function renumber(citations) {
    citations.querySelectorAll(".citation-rows > li").forEach((row, position) => {
      const order = row.querySelector('input[name$="-order"]');
      if (order) {
        order.value = String(position);
      }
    });
  }

  function addRow(citations) {
    const prefix = formsetPrefix(citations);
    if (!rowTemplate || !prefix) {
      return;
    }
    const total = citations.querySelector('input[name$="-TOTAL_FORMS"]');
    const index = parseInt(total.value, 10) || 0;
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name]").forEach((element) => {
      element.name = element.name.replace("__prefix__", `${prefix}-${index}`);
    });
    citations.querySelector(".citation-rows").appendChild(row);
    total.value = String(index + 1);
    renumber(citations);
    makePicker(row.querySelector("select"));
    const picker = row.querySelector(".select2-selection");
    if (picker) {
      picker.focus();
    }
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    const citations = button.closest(".citations");
    if (!citations) {
      return;
    }
    const row = button.closest(".citation-rows > li");
    if (button.classList.contains("citation-add")) {
      addRow(citations);
    } else if (button.classList.contains("citation-remove") && row) {
      row.remove(); // a new row only: saved rows have a Delete box
      renumber(citations);
    } else if (button.classList.contains("citation-up") && row && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
      renumber(citations);
      button.focus();
    }
  });

  // ---------------------------------------------------------------- text boxes that fit their text
  const fitsByItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function fit(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  if (!fitsByItself) {
    form.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") {
        fit(event.target);
      }
    });
  }

  // ---------------------------------------------------------------- a warning before leaving unsaved changes
  let loadedState = null;
  let submitting = false;

  function formState() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  form.addEventListener("submit", () => {
    submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (submitting || loadedState === null || formState() === loadedState) {
      return;
    }
    event.preventDefault();
    event.returnValue = ""; // older browsers show their own words only when this is set
  });

  window.addEventListener("load", () => {
    document.querySelectorAll("select.citation-reference").forEach(makePicker);
    if (!fitsByItself) {
      form.querySelectorAll("textarea").forEach(fit);
    }
    loadedState = formState();
  });
}

// ---------------------------------------------------------------- one template of a new claim
/*
 * The page carries the template of a new claim once, inside the template of a new section
 * (`sections-empty-claims-empty`), not once per section (_inline_stacked.html). nested_admin
 * finds a section's template by id (`#sections-2-claims-empty`) when it sets up that section's
 * claims, on jQuery's "ready", and adds a claim by copying it. So, before that, each section
 * gets its copy here, named as nested_admin names the one it copies along with a new section
 * (its `updateFormAttributes`): `sections-empty-…` and `sections-__prefix__-…` become
 * `sections-2-…`. Without the script, saving the rows on the page is unchanged: a save never
 * reads a template's fields.
 */
const TEMPLATE_ATTRIBUTES = ["id", "name", "for", "href", "class", "data-inline-formset"];

function escapeForRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function giveEachSectionItsClaimTemplate() {
  document.querySelectorAll(".djn-group-nested[id$='-group']").forEach((group) => {
    const place = /^(.+)-(\d+)-([^-]+)-group$/.exec(group.id); // sections-2-claims-group
    if (!place) {
      return;
    }
    const [, parentPrefix, index, name] = place;
    const prefix = `${parentPrefix}-${index}-${name}`;
    const template = document.getElementById(`${parentPrefix}-empty-${name}-empty`);
    const items = group.querySelector(":scope > .djn-items");
    if (!template || !items || document.getElementById(`${prefix}-empty`)) {
      return;
    }
    const copy = template.cloneNode(true);
    const search = new RegExp(`([#_]id_|#|^id_|"|^)${escapeForRegExp(parentPrefix)}-(?:__prefix__|empty)-`, "g");
    [copy, ...copy.querySelectorAll("*")].forEach((element) => {
      TEMPLATE_ATTRIBUTES.forEach((attribute) => {
        const value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace(search, `$1${parentPrefix}-${index}-`));
        }
      });
    });
    items.appendChild(copy);
  });
}

// The page loads this file right after the sections (change_form.html), so that the claims'
// templates are in place before jQuery's "ready"; the rest waits for the whole page.
giveEachSectionItsClaimTemplate();
document.addEventListener("DOMContentLoaded", startArticleEditor);
