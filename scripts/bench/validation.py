"""Benchmark: parse + validate adversarial GraphQL documents, each within the 2,000-token limit.

Builds families of hostile documents (fragment fan-out, very wide selections, many directives, arguments,
aliases, deep nesting, many operations, overlapping fields) and the console's own operations, every one with
fresh fragment and operation names on every run so no cache helps. Each is run the way the server runs it,
through the schema's own parse and validation hooks (backend/core/limits.py): parse with the token limit, the
budget check and, when the document passes it, graphql-core's validation with the schema's rules. Prints, per
family, the slowest document's CPU time (the median of its runs: the machine's other load stretches wall time,
not CPU time) and its best wall time, then the worst overall; exits 1 if that exceeds the bound (50 ms).
No database or server is needed. See README.md beside this file.

    .venv/bin/python scripts/bench/validation.py [--runs 5] [--bound-ms 50] [--verbose]
"""

from __future__ import annotations

import argparse
import gc
import glob
import itertools
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script: make `backend` importable
    sys.path.insert(0, str(REPO_ROOT))

from graphql import GraphQLError, Lexer, Source, TokenKind  # noqa: E402
from strawberry.types import ExecutionContext  # noqa: E402
from strawberry.types.graphql import OperationType  # noqa: E402

from backend.core.limits import QueryBudget  # noqa: E402
from backend.schema import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_FIELDS, MAX_TOKENS, schema  # noqa: E402

BUDGET = QueryBudget(max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES, max_fields=MAX_FIELDS, max_cost=MAX_COST)
_serial = itertools.count()
Family = Callable[[str], Iterator[tuple[str, str]]]  # tag -> (variant, document)


def tokens(text: str) -> int:
    """Tokens as the parser's `max_tokens` counts them."""
    lexer, n = Lexer(Source(text)), 0
    while lexer.advance().kind != TokenKind.EOF:
        n += 1
    return n


def largest(make: Callable[[int], str], hi: int = 2000) -> str:
    """make(n) for the largest n whose document stays within the token limit."""
    lo = 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tokens(make(mid)) <= MAX_TOKENS:
            lo = mid
        else:
            hi = mid - 1
    return make(lo)


def run(text: str) -> tuple[str, float, float]:
    """(outcome, CPU seconds, wall seconds) for one document, through the schema's parse and validation hooks."""
    wall, cpu = time.perf_counter(), time.thread_time()
    ctx = ExecutionContext(query=text, schema=schema, allowed_operations=tuple(OperationType))
    ctx.parse_options["max_tokens"] = MAX_TOKENS  # as MaxTokensLimiter sets it
    extension = BUDGET.extension()()
    extension.execution_context = ctx
    try:
        next(extension.on_parse())
    except GraphQLError:
        return "PARSE_FAILED", time.thread_time() - cpu, time.perf_counter() - wall
    next(extension.on_validate())
    errors = ctx.pre_execution_errors or []
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    codes = sorted({(e.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED") for e in errors})
    return ",".join(codes) or "valid", cpu, wall


# ---------------------------------------------------------------------------------------------- families


def fanout(width: int) -> Family:
    """Fragments that each spread the next one `width` times: 1 KB, width^levels fields once inlined."""

    def family(tag: str) -> Iterator[tuple[str, str]]:
        def same(levels: int) -> str:
            spreads = [
                f"fragment {tag}{i} on Query {{ {f' ...{tag}{i + 1}' * width} }}" for i in range(levels)
            ]
            return (
                f"query Q{tag} {{ ...{tag}0 }} "
                + " ".join(spreads)
                + f" fragment {tag}{levels} on Query {{ viewer {{ isPlatformAdmin }} }}"
            )

        def distinct(levels: int) -> str:  # width different fragments per level, each spreading all the next
            parts = [f"query Q{tag} {{ ...{tag}0_0 }}"]
            for i in range(levels):
                body = " ".join(f"...{tag}{i + 1}_{j}" for j in range(width))
                parts += [f"fragment {tag}{i}_{k} on Query {{ {body} }}" for k in range(width)]
            parts += [
                f"fragment {tag}{levels}_{k} on Query {{ viewer {{ isPlatformAdmin }} }}"
                for k in range(width)
            ]
            return " ".join(parts)

        yield "12 levels", same(12)
        yield "max levels", largest(same, 400)
        yield "distinct, max levels", largest(distinct, 400)

    return family


def wide(tag: str) -> Iterator[tuple[str, str]]:
    yield "same leaf", largest(lambda n: f"query Q{tag} {{ viewer {{ {'isPlatformAdmin ' * n}}} }}")
    yield "__typename", largest(lambda n: f"query Q{tag} {{ {'__typename ' * n}}}")
    yield (
        "same field with a selection",
        largest(lambda n: f"query Q{tag} {{ {'viewer { isPlatformAdmin } ' * n}}}"),
    )
    yield "two levels", largest(lambda n: f"query Q{tag} {{ {'viewer { user { name } } ' * n}}}")
    yield (
        "different arguments",
        largest(
            lambda n: (
                f"query Q{tag} {{ "
                + " ".join(f"units(first: {i % 90}) {{ totalCount }}" for i in range(n))
                + " }"
            )
        ),
    )
    yield (
        "unknown fields",
        largest(lambda n: f"query Q{tag} {{ " + " ".join(f"f{i}" for i in range(n)) + " }"),
    )


def directives(tag: str) -> Iterator[tuple[str, str]]:
    yield (
        "repeated on one field",
        largest(lambda n: f"query Q{tag} {{ viewer {'@include(if: true) ' * n}{{ isPlatformAdmin }} }}"),
    )
    yield "unknown", largest(lambda n: f"query Q{tag} {{ viewer {'@nope ' * n}{{ isPlatformAdmin }} }}")
    yield (
        "variable on every field",
        largest(
            lambda n: f"query Q{tag}($v: Boolean!) {{ viewer {{ {'isPlatformAdmin @skip(if: $v) ' * n}}} }}"
        ),
    )
    yield (
        "on spreads",
        largest(
            lambda n: (
                f"query Q{tag} {{ {f'...{tag} @include(if: true) ' * n}}} "
                f"fragment {tag} on Query {{ viewer {{ isPlatformAdmin }} }}"
            )
        ),
    )


def arguments(tag: str) -> Iterator[tuple[str, str]]:
    yield (
        "long list value",
        largest(lambda n: f"query Q{tag} {{ nodes(ids: [" + '"x" ' * n + "]) { __typename } }"),
    )
    yield (
        "unknown arguments",
        largest(
            lambda n: (
                f"query Q{tag} {{ units(" + " ".join(f"a{i}: 1" for i in range(n)) + ") { totalCount } }"
            )
        ),
    )
    yield (
        "unknown input fields",
        largest(
            lambda n: (
                f"query Q{tag} {{ units(filter: {{"
                + " ".join(f"a{i}: 1" for i in range(n))
                + "}) { totalCount } }"
            )
        ),
    )
    yield (
        "unknown fields around a long list",
        largest(
            lambda n: (
                f"mutation M{tag} {{ staffCreate(input: {{grants: ["
                + '{roleId: "1" communityId: {a: 1}} ' * n
                + "] u0: 1 u1: 1 u2: 1 u3: 1 u4: 1 u5: 1 u6: 1 u7: 1 u8: 1}) { errors { code } } }"
            )
        ),
    )
    yield (
        "many objects with unknown fields",
        largest(
            lambda n: (
                f'mutation M{tag} {{ staffCreate(input: {{phone: "1" name: "n" grants: ['
                + "{a: 1 b: 1 c: 1 d: 1 e: 1 f: 1 g: 1 h: 1 i: 1 j: 1} " * n
                + "]}) { errors { code } } }"
            )
        ),
    )
    yield (
        "unknown enum values",
        largest(
            lambda n: (
                f"query Q{tag} {{ myTickets(status: ["
                + " ".join(f"S{i}" for i in range(n))
                + "]) { totalCount } }"
            )
        ),
    )


def aliases(tag: str) -> Iterator[tuple[str, str]]:
    yield (
        "at the root",
        largest(lambda n: f"query Q{tag} {{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"),
    )
    yield (
        "15 per fragment, spread 4x",
        (
            f"query Q{tag} {{ ...{tag} ...{tag} ...{tag} ...{tag} }} fragment {tag} on Query {{ "
            + " ".join(f"a{i}: __typename" for i in range(15))
            + " }"
        ),
    )
    yield (
        "same alias, different fields",
        largest(lambda n: f"query Q{tag} {{ {'a: viewer { isPlatformAdmin } a: __typename ' * n}}}"),
    )


CHAIN = ["viewer", "user", "bindings", "unit", "building", "community"]
LOOP = ["buildings(first: 1)", "nodes", "units(first: 1)", "nodes", "building", "community"]


def deep(tag: str) -> Iterator[tuple[str, str]]:
    def nested(n: int) -> str:
        path = (CHAIN + LOOP * 40)[:n]
        return f"query Q{tag} {{ " + " { ".join(path) + " { __typename" + " }" * (n + 1)

    yield "valid fields", largest(nested, 190)
    yield (
        "inline fragments",
        largest(lambda n: f"query Q{tag} {{ {'... on Query { ' * n}__typename{' }' * n} }}", 190),
    )
    yield (
        "fragment chain",
        largest(
            lambda n: (
                f"query Q{tag} {{ ...{tag}0 }} "
                + " ".join(f"fragment {tag}{i} on Query {{ ...{tag}{i + 1} }}" for i in range(n))
                + f" fragment {tag}{n} on Query {{ __typename }}"
            ),
            400,
        ),
    )
    yield (
        "fragment cycle",
        largest(
            lambda n: (
                f"query Q{tag} {{ ...{tag}0 }} "
                + " ".join(f"fragment {tag}{i} on Query {{ ...{tag}{(i + 1) % n} }}" for i in range(n))
            ),
            400,
        ),
    )


def operations(tag: str) -> Iterator[tuple[str, str]]:
    yield (
        "named",
        largest(lambda n: " ".join(f"query Q{tag}{i} {{ viewer {{ isPlatformAdmin }} }}" for i in range(n))),
    )
    yield "anonymous", largest(lambda n: " ".join("{ __typename }" for _ in range(n)))
    yield (
        "each spreading one chain",
        largest(
            lambda n: (
                " ".join(f"query Q{tag}{i} {{ ...{tag}0 }}" for i in range(n))
                + " "
                + " ".join(f"fragment {tag}{i} on Query {{ ...{tag}{i + 1} }}" for i in range(n))
                + f" fragment {tag}{n} on Query {{ __typename }}"
            )
        ),
    )
    yield (
        "many variables",
        largest(lambda n: f"query Q{tag}(" + " ".join(f"$v{i}: Int" for i in range(n)) + ") { __typename }"),
    )
    yield (
        "variables through fragments",
        largest(
            lambda n: (
                " ".join(f"query Q{tag}{i}($v: Boolean!) {{ ...{tag} }}" for i in range(n))
                + f" fragment {tag} on Query {{ viewer @include(if: $v) {{ isPlatformAdmin }} }}"
            )
        ),
    )


def overlap(tag: str) -> Iterator[tuple[str, str]]:
    yield (
        "fragments with the same fields",
        largest(
            lambda n: (
                f"query Q{tag} {{ "
                + " ".join(f"...{tag}{i}" for i in range(n))
                + " } "
                + " ".join(f"fragment {tag}{i} on Query {{ viewer {{ isPlatformAdmin }} }}" for i in range(n))
            )
        ),
    )
    yield (
        "same field, a spread each",
        largest(
            lambda n: (
                f"query Q{tag} {{ "
                + " ".join(f"viewer {{ ...{tag}{i} }}" for i in range(n))
                + " } "
                + " ".join(f"fragment {tag}{i} on Viewer {{ isPlatformAdmin }}" for i in range(n))
            )
        ),
    )
    yield (
        "conflicting fragments",
        largest(
            lambda n: (
                f"query Q{tag} {{ "
                + " ".join(f"...{tag}{i}" for i in range(n))
                + " } "
                + " ".join(
                    f"fragment {tag}{i} on Query {{ x: units(first: {i}) {{ totalCount }} }}"
                    for i in range(n)
                )
            )
        ),
    )
    yield (
        "nested fragment pairs",
        largest(
            lambda n: (
                f"query Q{tag} {{ viewer {{ ...{tag}a ...{tag}b }} }} "
                f"fragment {tag}a on Viewer {{ "
                + " ".join(f"user {{ ...{tag}u{i} }}" for i in range(n))
                + " } "
                + f"fragment {tag}b on Viewer {{ "
                + " ".join(f"user {{ ...{tag}u{i} }}" for i in range(n))
                + " } "
                + " ".join(f"fragment {tag}u{i} on User {{ name }}" for i in range(n))
            )
        ),
    )


def console(tag: str) -> Iterator[tuple[str, str]]:
    """The console's own documents, as a reference (each file holds several operations)."""
    for path in sorted(glob.glob(str(REPO_ROOT / "frontend/src/api/**/*.graphql"), recursive=True)):
        text = Path(path).read_text()
        if tokens(text) <= MAX_TOKENS:
            yield Path(path).name, text + f"\nquery Q{tag} {{ __typename }}"  # a fresh text: no cache hit


FAMILIES: dict[str, Family] = {
    "fan-out 2 wide": fanout(2),
    "fan-out 4 wide": fanout(4),
    "fan-out 8 wide": fanout(8),
    "wide selections": wide,
    "directives": directives,
    "arguments": arguments,
    "aliases": aliases,
    "deep nesting": deep,
    "many operations": operations,
    "overlapping fields": overlap,
    "console (reference)": console,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per document, each with fresh names")
    parser.add_argument("--bound-ms", type=float, default=50.0, help="fail when any document takes longer")
    parser.add_argument("--verbose", action="store_true", help="print every document's figures")
    args = parser.parse_args(argv)

    run("{ __typename }")  # warm up imports and schema lookups
    rows, worst_overall = [], 0.0
    for family_name, family in FAMILIES.items():
        cpu: dict[str, list[float]] = {}
        wall: dict[str, float] = {}
        outcomes, sizes = set(), {}
        for _ in range(args.runs):
            for variant, text in family(f"F{next(_serial)}x"):  # fresh names: every run is a cache miss
                assert tokens(text) <= MAX_TOKENS, (family_name, variant)
                gc.collect()  # no collection owed by earlier documents lands in this one
                outcome, cpu_s, wall_s = run(text)
                outcomes.add(outcome)
                cpu.setdefault(variant, []).append(cpu_s)
                wall[variant] = min(wall.get(variant, wall_s), wall_s)
                sizes[variant] = (tokens(text), len(text), outcome)
        median = {variant: statistics.median(times) for variant, times in cpu.items()}
        if args.verbose:
            for variant, seconds in median.items():
                n_tokens, n_bytes, outcome = sizes[variant]
                print(
                    f"  {family_name} / {variant}: {n_tokens} tokens, {n_bytes} bytes, CPU {seconds * 1000:.2f} ms, "
                    f"wall {wall[variant] * 1000:.2f} ms, {outcome}"
                )
        slowest = max(median, key=median.__getitem__)
        worst_overall = max(worst_overall, median[slowest])
        rows.append(
            (
                family_name,
                len(median),
                median[slowest] * 1000,
                wall[slowest] * 1000,
                slowest,
                " ".join(sorted(outcomes)),
            )
        )

    print(f"{'family':22} {'docs':>4} {'CPU ms':>7} {'wall ms':>7}  {'slowest document':31} outcomes")
    for name, count, cpu_ms, wall_ms, variant, seen in rows:
        print(f"{name:22} {count:>4} {cpu_ms:>7.2f} {wall_ms:>7.2f}  {variant:31} {seen}")
    ok = worst_overall * 1000 <= args.bound_ms
    print(
        f"{'overall':22} {'':>4} {worst_overall * 1000:>7.2f} {'':>7}  bound {args.bound_ms:.0f} ms of CPU: "
        f"{'ok' if ok else 'OVER THE BOUND'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
