"""Reading REDCap calculated fields that score questions.

A REDCap ``calc`` field holds an expression in REDCap's own small language: field references
``[k1]`` (a checkbox option ``[roles(2)]``), numbers, quoted text, arithmetic, comparisons,
``and``/``or`` and functions such as ``if(...)`` and ``sum(...)``. Projects score a knowledge
test with one term per question::

    if([k1]='1',1,0) + if([k2]="b",1,0) + if([k3]='a' or [k3]='c',2,0)

and a rating scale by adding the answers, reversing some against the scale::

    [se1] + [se2] + (6-[se3])        sum([se1], [se2], [se3])

:func:`parse` turns an expression into a small syntax tree (``None`` when it is not REDCap
calc syntax we know, e.g. the JavaScript some projects paste in); :func:`score_terms` reads a
tree as a sum of :class:`KeyTerm` (a question with its right answers and points) and
:class:`ValueTerm` (a question's answer added as it is, or reversed as ``c - answer``), or
``None`` when any part of it is something else (a date difference, a threshold, a missing-code
rule). Whether each term's field really is a choice question with those codes is for the
dictionary reader to check: this module knows expressions, not fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Tokens

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\[(?P<field>[A-Za-z][A-Za-z0-9_]*)(?:\((?P<option>[^()\[\]]*)\))?\])
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><>|!=|<=|>=|==|&&|\|\||[=<>+\-*/^(),])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "ref", "number", "string", "op", "name", "end"
    text: str
    field: str = ""
    option: str | None = None


def _tokens(expression: str) -> list[_Token] | None:
    tokens: list[_Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            return None
        position = match.end()
        kind = match.lastgroup
        if kind == "space" or kind is None:
            continue
        if kind in ("field", "option"):  # pragma: no cover - inner groups never end a match
            continue
        text = match.group(0)
        if kind == "ref":
            option = match.group("option")
            tokens.append(
                _Token(
                    "ref",
                    text,
                    field=match.group("field").lower(),
                    option=option.strip() if option is not None else None,
                )
            )
        elif kind == "string":
            tokens.append(_Token("string", text[1:-1]))
        elif kind == "name":
            tokens.append(_Token("name", text.lower()))
        else:
            tokens.append(_Token(kind, text))
    tokens.append(_Token("end", ""))
    return tokens


# ---------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Ref:
    """A field reference: ``[k1]``, or a checkbox option ``[roles(2)]`` (``option`` "2")."""

    field: str
    option: str | None = None

    def __str__(self) -> str:
        return f"[{self.field}({self.option})]" if self.option is not None else f"[{self.field}]"


@dataclass(frozen=True)
class Number:
    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^ = <> < > <= >= and or
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


Node = Ref | Number | Text | Name | Call | Binary | Negate

_COMPARISONS = {
    "=": "=",
    "==": "=",
    "<>": "<>",
    "!=": "<>",
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
}


class _Parser:
    """Recursive descent over REDCap's calc and logic syntax (precedence, lowest first:
    ``or``, ``and``, comparisons, ``+ -``, ``* /``, ``^``, unary minus)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != text:
            raise _UnreadableError

    def is_op(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in texts

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "name" and token.text == word

    def expression(self) -> Node:
        node = self.conjunction()
        while self.is_word("or") or self.is_op("||"):
            self.take()
            node = Binary("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.is_word("and") or self.is_op("&&"):
            self.take()
            node = Binary("and", node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.additive()
        while self.is_op(*_COMPARISONS):
            op = _COMPARISONS[self.take().text]
            node = Binary(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.is_op("+", "-"):
            op = self.take().text
            node = Binary(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.power()
        while self.is_op("*", "/"):
            op = self.take().text
            node = Binary(op, node, self.power())
        return node

    def power(self) -> Node:
        node = self.unary()
        if self.is_op("^"):
            self.take()
            node = Binary("^", node, self.power())
        return node

    def unary(self) -> Node:
        if self.is_op("-"):
            self.take()
            operand = self.unary()
            if isinstance(operand, Number):
                return Number("-" + operand.text)
            return Negate(operand)
        if self.is_op("+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "ref":
            return Ref(token.field, token.option)
        if token.kind == "number":
            return Number(token.text)
        if token.kind == "string":
            return Text(token.text)
        if token.kind == "name":
            if self.is_op("("):
                self.take()
                args: list[Node] = []
                if not self.is_op(")"):
                    args.append(self.expression())
                    while self.is_op(","):
                        self.take()
                        args.append(self.expression())
                self.expect(")")
                return Call(token.text, tuple(args))
            return Name(token.text)
        if token.kind == "op" and token.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        raise _UnreadableError


class _UnreadableError(Exception):
    """The expression is not REDCap calc syntax this parser knows."""


#: The longest expression parsed (a real scoring calc of 200 items is about 6,000 characters).
MAX_EXPRESSION_CHARS = 100_000


def parse(expression: str) -> Node | None:
    """The syntax tree of a REDCap calc expression, or None when it cannot be read."""
    if not expression.strip() or len(expression) > MAX_EXPRESSION_CHARS:
        return None
    tokens = _tokens(expression)
    if tokens is None:
        return None
    parser = _Parser(tokens)
    try:
        node = parser.expression()
    except (_UnreadableError, RecursionError):
        return None
    if parser.peek().kind != "end":
        return None
    return node


# ---------------------------------------------------------------------------------------------
# Scoring terms


@dataclass(frozen=True)
class KeyTerm:
    """``if([k1]='a' or [k1]='b', points, 0)``: the field scores ``points`` when its answer is
    one of ``codes``. For a checkbox option ``[f(c)]`` the codes are ``1`` (ticked) or ``0``."""

    ref: Ref
    codes: tuple[str, ...]
    points: float


@dataclass(frozen=True)
class ValueTerm:
    """``[f]`` (the answer added as it is) or ``(c-[f])`` (reversed: ``reverse_from`` is c)."""

    ref: Ref
    reverse_from: float | None = None


Term = KeyTerm | ValueTerm


def score_terms(expression: str) -> tuple[Term, ...] | None:
    """The expression read as a sum of scoring terms, or None when any part of it is not one
    (see the module docstring)."""
    node = parse(expression)
    if node is None:
        return None
    terms: list[Term] = []
    if not _collect(node, terms) or not terms:
        return None
    return tuple(terms)


def _collect(node: Node, terms: list[Term]) -> bool:
    # Iterative, not recursive: a scoring calc of thousands of questions is a chain of
    # thousands of "+" (the parser builds it left-deep without recursing either).
    pending: list[Node] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Binary) and current.op == "+":
            pending += [current.right, current.left]
        elif isinstance(current, Call) and current.name == "sum" and current.args:
            pending += reversed(current.args)
        else:
            term = _term(current)
            if term is None:
                return False
            terms.append(term)
    return True


def _term(node: Node) -> Term | None:
    if isinstance(node, Ref):
        return ValueTerm(node)
    if (
        isinstance(node, Binary)
        and node.op == "-"
        and isinstance(node.left, Number)
        and isinstance(node.right, Ref)
    ):
        return ValueTerm(node.right, reverse_from=node.left.value)
    if isinstance(node, Call) and node.name == "if" and len(node.args) == 3:
        return _if_term(*node.args)
    return None


def _if_term(condition: Node, then: Node, otherwise: Node) -> KeyTerm | None:
    if not isinstance(then, Number) or not isinstance(otherwise, Number):
        return None
    if otherwise.value == 0 and then.value > 0:
        matched = _alternatives(condition, "=", "or")
        points = then.value
    elif then.value == 0 and otherwise.value > 0:
        # if([k1]<>'a', 0, 1): the same key written the other way round.
        matched = _alternatives(condition, "<>", "and")
        points = otherwise.value
    else:
        return None
    if not matched:
        return None
    refs = {ref for ref, _ in matched}
    if len(refs) != 1:
        return None
    codes = tuple(dict.fromkeys(code for _, code in matched))
    return KeyTerm(ref=matched[0][0], codes=codes, points=points)


def _alternatives(node: Node, equals: str, joiner: str) -> list[tuple[Ref, str]] | None:
    """``[f]='a' or [f]='b'`` (or ``or([f]='a', [f]='b')``) as [(f, 'a'), (f, 'b')]."""
    if isinstance(node, Binary) and node.op == joiner:
        # A left-deep chain "a or b or c ...", walked without recursing down its length.
        parts: list[Node] = []
        while isinstance(node, Binary) and node.op == joiner:
            parts.append(node.right)
            node = node.left
        parts.append(node)
        found: list[tuple[Ref, str]] = []
        for part in reversed(parts):
            matched = _alternatives(part, equals, joiner)
            if matched is None:
                return None
            found += matched
        return found
    if isinstance(node, Call) and node.name == joiner and node.args:
        found = []
        for arg in node.args:
            alternatives = _alternatives(arg, equals, joiner)
            if alternatives is None:
                return None
            found += alternatives
        return found
    if isinstance(node, Binary) and node.op == equals:
        field, value = node.left, node.right
        if isinstance(value, Ref):
            field, value = value, field
        if isinstance(field, Ref) and isinstance(value, Number | Text):
            code = value.text if isinstance(value, Number) else value.value
            return [(field, code.strip())]
    return None


def references(expression: str) -> tuple[Ref, ...]:
    """Every field the expression names, in order (also for expressions :func:`parse` cannot
    read, found by their ``[field]`` brackets)."""
    found: dict[Ref, None] = {}
    for match in re.finditer(r"\[([A-Za-z][A-Za-z0-9_]*)(?:\(([^()\[\]]*)\))?\]", expression):
        option = match.group(2)
        found[Ref(match.group(1).lower(), option.strip() if option is not None else None)] = None
    return tuple(found)
