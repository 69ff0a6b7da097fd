// Coding a transcript: a mouse or keyboard selection becomes code point offsets in the form,
// and the code picker can be searched. Without this script the page still works: the form
// takes a whole turn, or start and end typed in.
//
// The transcript is rendered as runs (.imheval-run), each holding one text node and its code
// point offset (data-s). JavaScript strings count UTF-16 units, so an emoji is two units but
// one code point: every offset sent to the server is counted in code points.

const isHigh = (unit) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit) => unit >= 0xdc00 && unit <= 0xdfff;

/** Code points in a string (a surrogate pair counts once). */
export function codePoints(text) {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i += 1;
    count += 1;
  }
  return count;
}

/** The UTF-16 index of the code point number `points` in `text`. */
export function utf16Index(text, points) {
  let index = 0;
  for (let n = 0; n < points && index < text.length; n += 1) {
    const pair = isHigh(text.charCodeAt(index)) && index + 1 < text.length && isLow(text.charCodeAt(index + 1));
    index += pair ? 2 : 1;
  }
  return index;
}

const WORD = /[\p{L}\p{N}\p{M}'\u2019]/u;
const SPACE = /\s/u;
const STOP = /[.!?\u2026]/u;

function setUpTranscript(transcript, form) {
  const runs = Array.from(transcript.querySelectorAll(".imheval-run"));
  if (!runs.length) return;
  const starts = runs.map((run) => Number(run.dataset.s));
  const chars = Array.from(runs.map((run) => run.textContent).join(""));
  const length = chars.length;
  const blocks = Array.from(transcript.querySelectorAll(".imheval-block"))
    .map((block) => ({ block, start: Number(block.dataset.cs), end: Number(block.dataset.ce) }))
    .filter((block) => block.end > block.start);
  const status = document.getElementById("selection-status");
  const startField = form.querySelector("#start");
  const endField = form.querySelector("#end");
  const turnField = form.querySelector("#turn");
  let current = null;

  // Sentence edges, worked out once: a sentence ends after . ! ? or an ellipsis followed by a
  // space, or at a line break; the next one starts at the next character that is not a space.
  const sentenceStarts = [];
  const sentenceEnds = [];
  let inSentence = false;
  for (let i = 0; i < length; i += 1) {
    const char = chars[i];
    if (!inSentence && !SPACE.test(char)) {
      sentenceStarts.push(i);
      inSentence = true;
    }
    if (inSentence) {
      const last = i + 1 === length || chars[i + 1] === "\n";
      if ((STOP.test(char) && (i + 1 === length || SPACE.test(chars[i + 1]))) || last) {
        let end = i + 1;
        while (end > 0 && SPACE.test(chars[end - 1])) end -= 1;
        sentenceEnds.push(end);
        inSentence = false;
      }
    }
  }

  // A turn's words start after its speaker's label: no sentence starts inside a label.
  for (const block of transcript.querySelectorAll(".imheval-block")) {
    const [labelStart, wordsStart] = [Number(block.dataset.bs), Number(block.dataset.cs)];
    if (wordsStart <= labelStart) continue;
    const inside = sentenceStarts.findIndex((edge) => edge >= labelStart && edge < wordsStart);
    if (inside >= 0) sentenceStarts[inside] = wordsStart;
  }

  const runAt = (point) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= point) low = middle;
      else high = middle - 1;
    }
    return low;
  };

  const domPoint = (point, isEnd) => {
    let index = runAt(point);
    if (isEnd && index > 0 && starts[index] === point) index -= 1;
    const run = runs[index];
    const node = run.firstChild;
    if (!node) return [run, 0];
    return [node, utf16Index(node.data, point - starts[index])];
  };

  const offsetOf = (node, offset) => {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const run = element && element.closest(".imheval-run");
    if (!run || !transcript.contains(run)) return null;
    const start = Number(run.dataset.s);
    if (node.nodeType === Node.TEXT_NODE) return start + codePoints(node.data.slice(0, offset));
    return offset === 0 ? start : start + codePoints(run.textContent);
  };

  const fromRange = (range) => {
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null) {
      const touched = runs.filter((run) => range.intersectsNode(run));
      if (!touched.length) return null;
      if (start === null) start = Number(touched[0].dataset.s);
      if (end === null) {
        const last = touched[touched.length - 1];
        end = Number(last.dataset.s) + codePoints(last.textContent);
      }
    }
    while (start < end && SPACE.test(chars[start])) start += 1;
    while (end > start && SPACE.test(chars[end - 1])) end -= 1;
    return end > start ? { start, end } : null;
  };

  const speakerAt = (point) => {
    const block = runs[runAt(point)].closest(".imheval-block");
    return (block && block.dataset.speaker) || "";
  };

  const say = (sentences) => {
    status.replaceChildren(
      ...sentences.map((sentence) => {
        const paragraph = document.createElement("p");
        paragraph.textContent = sentence;
        return paragraph;
      }),
    );
  };

  const describe = ({ start, end }) => {
    const words = chars.slice(start, end).join("").match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)*/gu) || [];
    const all = chars.slice(start, end).join("").split(/\s+/u).filter(Boolean);
    const shown = all.length > 14 ? `${all.slice(0, 7).join(" ")} … ${all.slice(-4).join(" ")}` : all.join(" ");
    const speaker = speakerAt(start);
    const count = `${words.length} word${words.length === 1 ? "" : "s"}`;
    return [`Selected${speaker ? ` from ${speaker}` : ""} (${count}): “${shown}”`, `Characters ${start} to ${end}.`];
  };

  const choose = (selection, paint) => {
    current = selection;
    startField.value = String(selection.start);
    endField.value = String(selection.end);
    if (turnField) turnField.value = "";
    say(describe(selection));
    if (paint) {
      const range = document.createRange();
      range.setStart(...domPoint(selection.start, false));
      range.setEnd(...domPoint(selection.end, true));
      const chosen = window.getSelection();
      chosen.removeAllRanges();
      chosen.addRange(range);
      const run = runs[runAt(selection.start)];
      if (run.scrollIntoView) run.scrollIntoView({ block: "nearest" });
    }
  };

  const clear = () => {
    current = null;
    startField.value = "";
    endField.value = "";
    window.getSelection().removeAllRanges();
    say(["Selection cleared. Select words in the transcript, or choose a whole turn."]);
  };

  // The mouse (or touch): whatever the browser selected inside the transcript.
  let waiting = 0;
  document.addEventListener("selectionchange", () => {
    window.clearTimeout(waiting);
    waiting = window.setTimeout(() => {
      const chosen = window.getSelection();
      if (!chosen.rangeCount || chosen.isCollapsed) return;
      const range = chosen.getRangeAt(0);
      if (!range.intersectsNode(transcript)) return;
      const selection = fromRange(range);
      if (!selection) return;
      if (current && current.start === selection.start && current.end === selection.end) return;
      choose(selection, false);
    }, 120);
  });

  // The keyboard: turns with Up and Down, the start with Left and Right, the end with Shift.
  const next = (edges, point) => edges.find((edge) => edge > point);
  const previous = (edges, point) => [...edges].reverse().find((edge) => edge < point);
  const wordStart = (point, forward) => {
    let i = point;
    if (forward) {
      while (i < length && WORD.test(chars[i])) i += 1;
      while (i < length && !WORD.test(chars[i])) i += 1;
      return i < length ? i : point;
    }
    while (i > 0 && !WORD.test(chars[i - 1])) i -= 1;
    while (i > 0 && WORD.test(chars[i - 1])) i -= 1;
    return WORD.test(chars[i] || "") ? i : point;
  };
  const wordEnd = (point, forward) => {
    let i = point;
    if (forward) {
      while (i < length && !WORD.test(chars[i])) i += 1;
      while (i < length && WORD.test(chars[i])) i += 1;
      return i;
    }
    while (i > 0 && WORD.test(chars[i - 1])) i -= 1;
    while (i > 0 && !WORD.test(chars[i - 1])) i -= 1;
    return i;
  };
  const blockAt = (point) => blocks.findIndex((block) => block.start <= point && point < block.end);
  const firstWord = () => {
    const start = wordStart(blocks.length ? blocks[0].start - 1 : -1, true);
    return { start: Math.max(start, 0), end: wordEnd(Math.max(start, 0), true) };
  };

  transcript.tabIndex = 0;
  transcript.setAttribute("aria-describedby", "transcript-keys");
  transcript.addEventListener("keydown", (event) => {
    const { key, shiftKey, ctrlKey, metaKey, altKey } = event;
    if (altKey || metaKey) return;
    let selection = null;
    if (key === "ArrowDown" || key === "ArrowUp") {
      if (!blocks.length) return;
      const here = current ? blockAt(current.start) : -1;
      let index = key === "ArrowDown" ? here + 1 : here - 1;
      if (here === -1 && key === "ArrowUp") index = blocks.length - 1;
      index = Math.min(Math.max(index, 0), blocks.length - 1);
      selection = { start: blocks[index].start, end: blocks[index].end };
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      const forward = key === "ArrowRight";
      const base = current || firstWord();
      if (!current) {
        selection = base;
      } else if (shiftKey) {
        const end = ctrlKey
          ? (forward ? next(sentenceEnds, base.end) : previous(sentenceEnds, base.end))
          : wordEnd(base.end, forward);
        selection = end !== undefined && end > base.start && end <= length ? { start: base.start, end } : base;
      } else {
        const start = ctrlKey
          ? (forward ? next(sentenceStarts, base.start) : previous(sentenceStarts, base.start))
          : wordStart(base.start, forward);
        selection = start !== undefined && start < base.end && start >= 0 ? { start, end: base.end } : base;
      }
    } else if (key === "Enter" && current) {
      event.preventDefault();
      const search = form.querySelector("[data-code-search]:not([hidden]) input");
      const target = search || form.querySelector("input[name=codes]");
      if (target) target.focus();
      return;
    } else if (key === "Escape") {
      event.preventDefault();
      clear();
      return;
    } else {
      return;
    }
    event.preventDefault();
    choose(selection, true);
  });

  if (turnField) {
    turnField.addEventListener("change", () => {
      if (!turnField.value) return;
      current = null;
      startField.value = "";
      endField.value = "";
      say([`The whole turn chosen: ${turnField.selectedOptions[0].textContent}.`]);
    });
  }
}

function setUpSearch(form) {
  const box = form.querySelector("[data-code-search]");
  if (!box) return;
  const input = box.querySelector("input");
  const count = box.querySelector("#code-search-count");
  const items = Array.from(form.querySelectorAll("[data-code]"));
  const themes = Array.from(form.querySelectorAll("[data-theme]"));
  box.hidden = false;
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLowerCase();
    let shown = 0;
    for (const item of items) {
      item.hidden = Boolean(wanted) && !item.dataset.text.includes(wanted);
      if (!item.hidden) shown += 1;
    }
    for (const theme of themes) theme.hidden = !theme.querySelector("[data-code]:not([hidden])");
    count.textContent = wanted ? `${shown} code${shown === 1 ? "" : "s"} match “${input.value.trim()}”.` : "";
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    // Enter in the search box would send the form: move to the first code found instead.
    event.preventDefault();
    const first = form.querySelector("[data-code]:not([hidden]) input");
    if (first) first.focus();
  });
}

const search = document.querySelector("[data-code-search]");
const form = document.getElementById("code-form") || (search && search.closest("form"));
const transcript = document.getElementById("transcript");
if (form) {
  setUpSearch(form);
  if (transcript && form.id === "code-form") setUpTranscript(transcript, form);
}
