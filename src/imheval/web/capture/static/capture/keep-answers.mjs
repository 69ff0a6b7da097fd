// Keeps the answers on a page of questions (choices, and text typed in answer to open questions)
// in this browser tab until Continue, so that a reload (or a phone that reloads the page when
// switching apps) loses nothing typed.
//
// Only sessionStorage is used: it belongs to this tab and is gone when the tab closes. There is
// one entry per draft and page ("imheval-answers:<draft>:<page>"), where <draft> is a hash of the
// draft's key, never the key or anything about the person. The entry is removed on Continue; a
// page of another draft removes every entry not its own, and the start, carry-on, thank-you and
// "not taking part" pages remove them all, so the next person on a shared phone never gets them.
// Without JavaScript, or if storage is refused (private browsing), the page works as before.

const PREFIX = "imheval-answers:";

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function forgetAllBut(store, keepPrefix) {
  const keys = [];
  for (let index = 0; index < store.length; index += 1) {
    const key = store.key(index);
    if (key && key.startsWith(PREFIX) && !(keepPrefix && key.startsWith(keepPrefix))) {
      keys.push(key);
    }
  }
  keys.forEach((key) => store.removeItem(key));
}

function keep(store, form) {
  const [draft, page] = form.dataset.keepAnswers.split(":");
  const key = `${PREFIX}${draft}:${page}`;
  forgetAllBut(store, `${PREFIX}${draft}:`);
  let saved = {};
  try {
    saved = JSON.parse(store.getItem(key) || "{}");
  } catch {
    saved = {};
  }
  for (const [name, value] of Object.entries(saved)) {
    const selector = `input[type="radio"][name="${CSS.escape(name)}"][value="${CSS.escape(String(value))}"]`;
    const input = form.querySelector(selector);
    if (input) {
      input.checked = true;
    }
    const box = form.querySelector(`textarea[name="${CSS.escape(name)}"]`);
    if (box && !box.value) {
      box.value = String(value);
      box.dispatchEvent(new Event("input", { bubbles: true })); // the character count
    }
  }
  const remember = () => {
    const answers = {};
    form.querySelectorAll('input[type="radio"]:checked').forEach((input) => {
      answers[input.name] = input.value;
    });
    form.querySelectorAll("textarea").forEach((box) => {
      if (box.value) {
        answers[box.name] = box.value;
      }
    });
    try {
      store.setItem(key, JSON.stringify(answers));
    } catch {
      // Storage full or refused: the page still works, it just will not survive a reload.
    }
  };
  form.addEventListener("change", remember);
  form.addEventListener("input", remember); // open answers, as they are typed
  form.addEventListener("submit", () => store.removeItem(key));
}

const store = storage();
if (store) {
  const form = document.querySelector("form[data-keep-answers]");
  if (form) {
    keep(store, form);
  } else if (document.querySelector('meta[name="imheval-answers"][content="forget"]')) {
    forgetAllBut(store, null);
  }
}
