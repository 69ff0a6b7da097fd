"""``imheval region create`` and ``imheval region add-organisation``: a site operator sets up a
region (a regional group, programme board or health and social care board) and its first lead,
as ``imheval createadmin`` sets up an organisation. The lead then manages the region on its
pages (/r/<region>/).

Django is imported inside each command, after the environment is set, as in
:mod:`imheval.cli.web`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from imheval.cli.shell import console, run_safely
from imheval.errors import ImhevalError

__all__ = ["app"]

app = typer.Typer(
    name="region",
    help=(
        "Regions over organisations: set one up with its first regional lead, and invite "
        "organisations into it. Organisations share nothing until their own admins choose to.\n\n"
        'Example: imheval region create --name "North regional IMH group" --lead alex'
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

KINDS = ("regional_group", "programme_board", "hsc_board")


class RegionCommandError(ImhevalError, ValueError):
    """Raised when ``imheval region`` is given a name, user, kind, framework or organisation it
    cannot use (nothing is changed)."""


def _one_spaced(text: str) -> str:
    return " ".join(text.split())


@app.command(
    name="create",
    help=(
        "Set up a region and make an existing user its first regional lead.\n\n"
        "The lead then invites organisations, gives regional roles and sets regional targets "
        "on the region's pages. The region's address is printed. --framework is the ladder of "
        "levels its targets use: nes (Informed, Skilled, Enhanced, Specialist; the default), "
        "seed000 (beginner, intermediate, advanced), aimh (Level 1 to 3) or a ladder file.\n\n"
        'Example: imheval region create --name "North regional IMH group" --lead alex '
        "--kind regional_group --framework nes"
    ),
)
def create(
    name: Annotated[str, typer.Option("--name", help="The region's name, unique on the site.")],
    lead: Annotated[
        str, typer.Option("--lead", help="User name of its first regional lead (must exist).")
    ],
    kind: Annotated[
        str,
        typer.Option("--kind", help="regional_group (the default), programme_board or hsc_board."),
    ] = "regional_group",
    framework: Annotated[
        str,
        typer.Option("--framework", help="nes (the default), seed000, aimh or a ladder file."),
    ] = "nes",
) -> None:
    def body() -> None:
        from imheval.web import server

        server.prepare()
        region = create_region(name, lead, kind, framework)
        console.print(
            f"Region {region.name} set up, at /r/{region.slug}/. {lead.strip()} is its "
            "regional lead."
        )
        console.print(
            "Invite organisations on its Organisations page, or with: imheval region "
            f'add-organisation --region {region.slug} --organisation "NAME"'
        )

    run_safely(body)


@app.command(
    name="add-organisation",
    help=(
        "Invite an organisation into a region, by the organisation's exact name.\n\n"
        "The organisation shares nothing until one of its admins turns sharing on, on its "
        "Regions page. The invitation is logged in the organisation's audit log.\n\n"
        "Example: imheval region add-organisation --region north-regional-imh-group "
        '--organisation "Northern HSC Trust"'
    ),
)
def add_organisation(
    region: Annotated[str, typer.Option("--region", help="The region's short name (its slug).")],
    organisation: Annotated[
        str, typer.Option("--organisation", help="The organisation's name, as in imheval.")
    ],
) -> None:
    def body() -> None:
        from imheval.web import server

        server.prepare()
        member = invite_organisation(region, organisation)
        console.print(
            f"{member.organisation.name} is invited into {member.region.name}. It shares "
            "nothing until one of its admins chooses to."
        )

    run_safely(body)


def create_region(name: str, lead: str, kind: str, framework: str) -> Any:
    """The new region with ``lead`` as its regional lead; RegionCommandError (or the ladder
    reader's CoverageError) when something is not usable, and then nothing is made."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils.text import slugify

    from imheval.web.workforce.models import Region, RegionRole, RegionRoleName

    title = _one_spaced(name)
    if not title:
        raise RegionCommandError("--name: give the region a name")
    if len(title) > 200:
        raise RegionCommandError("--name: a region's name is at most 200 characters")
    if Region.objects.filter(name__iexact=title).exists():
        raise RegionCommandError(f"a region called {title!r} already exists; nothing was changed")
    if kind not in KINDS:
        raise RegionCommandError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: lead.strip()}).first()
    if user is None:
        raise RegionCommandError(
            f"--lead {lead.strip()!r}: no user has that name. Make the account first "
            "(imheval createadmin, or an organisation's invitation)."
        )
    chosen = _framework(framework)
    with transaction.atomic():
        region = Region.objects.create(
            name=title, slug=_free_slug(slugify(title)[:50] or "region"), kind=kind, **chosen
        )
        RegionRole.objects.create(region=region, user=user, role=RegionRoleName.LEAD)
    return region


def _framework(choice: str) -> dict[str, str]:
    """The region's framework fields from a built-in id or a ladder file."""
    from imheval.workforce import BUILT_IN, read_ladder

    key = choice.strip().casefold()
    if key in BUILT_IN:
        return {"framework": key}
    path = Path(choice)
    if not path.is_file():
        raise RegionCommandError(
            f"--framework {choice!r}: use nes, seed000, aimh or the path of a ladder file"
        )
    ladder = read_ladder(path)
    return {
        "framework": "custom",
        "custom_name": ladder.name[:100],
        "custom_levels": "\n".join(ladder.levels),
    }


def _free_slug(base: str) -> str:
    from imheval.web.workforce.models import Region

    slug, number = base, 2
    while Region.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def invite_organisation(region_slug: str, organisation_name: str) -> Any:
    """The new membership of the organisation in the region (not sharing), logged in the
    organisation's audit log as done by this command."""
    from imheval.web.organisations.audit import acting_as
    from imheval.web.organisations.models import Organisation
    from imheval.web.workforce.models import Region, RegionMember

    region = Region.objects.filter(slug=region_slug.strip()).first()
    if region is None:
        raise RegionCommandError(f"--region {region_slug.strip()!r}: no region has that short name")
    typed = _one_spaced(organisation_name)
    organisation = Organisation.objects.filter(name__iexact=typed).first()
    if organisation is None:
        raise RegionCommandError(f"--organisation {typed!r}: no organisation has that name")
    if RegionMember.objects.filter(region=region, organisation=organisation).exists():
        raise RegionCommandError(
            f"{organisation.name} is already in {region.name}; nothing was changed"
        )
    with acting_as(None, "imheval region add-organisation"):
        return RegionMember.objects.create(region=region, organisation=organisation)
