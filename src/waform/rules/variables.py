"""Rules on variables (``{{1}}``) and their examples in header, body and card bodies (V*).

Footer variables are WA-F2, button-label variables WA-BT8 and URL variables WA-BT11; the example of
a URL button is counted here (WA-V5) like every other example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from waform.model.components import UrlButton
from waform.rules.context import Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import (
    ADJOINING_VARIABLES,
    BEHIND_PUNCTUATION,
    EDGE_VARIABLE,
    MALFORMED_VARIABLE,
    NAMED_VARIABLE,
    TEXT,
    UNORDERED_VARIABLES,
    URL_BUTTON,
    VARIABLES,
)
from waform.rules.text import (
    adjacent_variables,
    bad_param_whitespace,
    numbering_gap,
    numbering_order,
    scan,
    space_separated_variables,
    too_few_words,
)


@check("WA-V1", needs=(NAMED_VARIABLE,))
def positional_only(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.scan.named:
            yield (
                site.loc,
                (
                    f"replace the named variable {site.scan.named[0]} with a numbered one ({{{{1}}}}, "
                    "{{2}}, …): Sinch's API takes positional variables only"
                ),
            )


def _numbering(
    ctx: TemplateContext, problem_of: Callable[[tuple[int, ...]], str | None]
) -> Iterator[Hit]:
    for site in ctx.texts:
        if not site.scan.in_order:
            problem = problem_of(site.scan.numbers)
            if problem:
                yield site.loc, f"{problem} (in the {site.kind})"


@check("WA-V2", needs=(UNORDERED_VARIABLES,))
def numbering_without_gaps(ctx: TemplateContext) -> Iterator[Hit]:
    return _numbering(ctx, numbering_gap)


@check("WA-V13", needs=(UNORDERED_VARIABLES,))
def numbering_in_order(ctx: TemplateContext) -> Iterator[Hit]:
    return _numbering(ctx, numbering_order)


@check("WA-V5", needs=(TEXT | URL_BUTTON,))
def one_example_per_variable(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.scan.named or site.scan.malformed:
            continue  # WA-V1 / WA-V6 first: the count would be meaningless
        if site.kind == "header" and len(site.scan.numbers) > 1:
            continue  # WA-H3: one variable at most
        need = len(site.scan.distinct)
        have = len(site.examples) if site.examples is not None else 0
        if need == have:
            continue
        if need == 0:
            yield (
                site.examples_loc,
                (f"remove the example(s) of the {site.kind}: it has no variable"),
            )
        elif site.examples is None:
            yield (
                site.loc,
                (
                    f"add {need} example value(s) for the variables of the {site.kind} "
                    f"(`{site.examples_loc[-1]}`)"
                ),
            )
        else:
            yield (
                site.examples_loc,
                (
                    f"give exactly {need} example value(s), one per variable of the {site.kind} "
                    f"(there are {have})"
                ),
            )
    for button_site in ctx.all_buttons:
        button = button_site.button
        if not isinstance(button, UrlButton):
            continue
        has_variable = scan(button.url).any
        if has_variable and button.example is None:
            yield (
                (*button_site.loc, "url"),
                ("add an `example` (a full sample URL) for the URL's variable"),
            )
        elif not has_variable and button.example is not None:
            yield (
                (*button_site.loc, "example"),
                ("remove the URL button's `example`: the URL has no variable"),
            )


@check("WA-V6", needs=(MALFORMED_VARIABLE,))
def well_formed_braces(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.scan.malformed:
            yield (
                site.loc,
                (
                    f"fix {site.scan.malformed[0]!r} in the {site.kind}: a variable is a number in "
                    "double braces, like {{1}}, with nothing else inside"
                ),
            )


def _edges(ctx: TemplateContext, field: str, edge: str, how: str) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.kind != "header" and getattr(site.scan, field) == edge:
            if edge == "start":
                yield site.loc, f"start the {site.kind} with words before the first variable{how}"
            else:
                yield site.loc, f"end the {site.kind} with words after the last variable{how}"


@check("WA-V7", needs=(EDGE_VARIABLE,))
def no_leading_variable(ctx: TemplateContext) -> Iterator[Hit]:
    return _edges(ctx, "edge", "start", "")


@check("WA-V14", needs=(EDGE_VARIABLE,))
def no_trailing_variable(ctx: TemplateContext) -> Iterator[Hit]:
    return _edges(ctx, "edge", "end", "")


@check("WA-V12", needs=(BEHIND_PUNCTUATION,))
def words_beyond_edge_variable(ctx: TemplateContext) -> Iterator[Hit]:
    for edge in ("start", "end"):
        yield from _edges(ctx, "behind", edge, ", not only punctuation")


@check("WA-V8", needs=(ADJOINING_VARIABLES,))
def variables_not_adjacent(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if len(site.scan.numbers) > 1:
            pair = adjacent_variables(site.text)
            if pair:
                yield site.loc, f"put words or punctuation between the variables in {pair!r}"


@check("WA-V11", needs=(ADJOINING_VARIABLES,))
def variables_not_only_spaced(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if len(site.scan.numbers) > 1:
            pair = space_separated_variables(site.text)
            if pair:
                yield (
                    site.loc,
                    f"put a word or punctuation between the variables in {pair!r}, not only spaces",
                )


@check("WA-V9", needs=(VARIABLES,))
def enough_words(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.kind == "header":
            continue
        variables = len(site.scan.distinct)
        words = too_few_words(site.text, variables)
        if words is not None:
            yield (
                site.loc,
                (
                    f"add words or drop variables: {variables} variable(s) in {words} words is likely "
                    f"rejected as too many variables for the length (aim for ≥ {3 * variables + 1})"
                ),
            )


@check("WA-V10", needs=(TEXT,))
def example_whitespace(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        for index, value in enumerate(site.examples or ()):
            if bad_param_whitespace(value):
                loc = site.examples_loc if site.kind == "header" else (*site.examples_loc, index)
                yield (
                    loc,
                    (
                        "remove the line break, tab or run of spaces from the example: variable values "
                        "must be single-line"
                    ),
                )
