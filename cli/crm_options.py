"""The options that shape a CRM export beyond its target: the people's object, owner,
lifecycle stage, campaign and file size (shared by rank, experts, brands and export)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from graphkit.cli.options import _stack
from graphkit.errors import ParameterError, UsageError
from graphkit.export import PEOPLE_OBJECTS, CrmChoices, crm_profile

if TYPE_CHECKING:
    from graphkit.cli.output import ExportChoice

CRM_SETTINGS = ("crm_object", "crm_owner", "crm_lifecycle_stage", "crm_campaign", "crm_max_file_mb")


@dataclass(frozen=True)
class CrmSettings:
    """What ``--crm-object``, ``--crm-owner``, ``--crm-lifecycle-stage``, ``--crm-campaign``
    and ``--crm-max-file-mb`` asked for."""

    crm_object: str = "contacts"
    crm_owner: str | None = None
    crm_lifecycle_stage: str | None = None
    crm_campaign: str | None = None
    crm_max_file_mb: float | None = None

    def given(self) -> list[str]:
        """The options given, as the user typed them."""
        defaults = CrmSettings()
        return [
            "--" + name.replace("_", "-")
            for name in CRM_SETTINGS
            if getattr(self, name) != getattr(defaults, name)
        ]

    @property
    def choices(self) -> CrmChoices:
        """Owner, lifecycle stage and campaign of every record."""
        return CrmChoices(self.crm_owner, self.crm_lifecycle_stage, self.crm_campaign)


crm_settings_options = _stack(
    click.option(
        "--crm-object",
        type=click.Choice(PEOPLE_OBJECTS),
        default="contacts",
        show_default=True,
        help="The object people go to: Salesforce takes them as leads too (brands still go "
        "to accounts).",
    ),
    click.option(
        "--crm-owner",
        metavar="USER",
        help="Owner of every record: a HubSpot user's email, a Salesforce username.",
    ),
    click.option(
        "--crm-lifecycle-stage",
        metavar="STAGE",
        help="HubSpot lifecycle stage of every contact and company (lead, subscriber, ...); "
        "with --crm-object leads, the Salesforce Lead Status.",
    ),
    click.option(
        "--crm-campaign",
        metavar="ID",
        help="Salesforce campaign id (701...): also write OUT.campaign-members.csv making "
        "the people its members.",
    ),
    click.option(
        "--crm-max-file-mb",
        type=click.FloatRange(min=0.01),
        metavar="MB",
        help="Largest import file, in MB, for plans below the CRM's largest (HubSpot's free "
        "tools: 20).",
    ),
)


def checked_choice(choice: ExportChoice) -> ExportChoice:
    """``choice``, once its CRM options are known to go together: checked before any work, a
    mistake is a usage error (exit 2), not a failure after a long run."""
    if choice.crm is None:
        return choice
    settings = choice.settings
    try:  # a mapping file's errors (InputError) stay its own: exit 1
        profile = crm_profile(
            choice.crm,
            choice.crm_mapping,
            people_object=settings.crm_object,
            max_file_mb=settings.crm_max_file_mb,
        )
        settings.choices.check(profile)
    except ParameterError as error:
        raise UsageError(str(error)) from None
    return choice
