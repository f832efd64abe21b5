"""Exports for other tools (CRM imports, Gephi) and their run manifests."""

from graphkit.export.crm import (
    CrmChoices,
    CrmExport,
    CrmFile,
    crm_keys,
    crm_tables,
    row_roles,
    write_crm,
)
from graphkit.export.gephi import graph_tables, write_gephi
from graphkit.export.guard import (
    GUARDS,
    TRIGGERS,
    GuardReport,
    guard_crm,
    guard_spreadsheet,
    is_formula,
    unguard_spreadsheet,
)
from graphkit.export.manifest import (
    build_manifest,
    file_record,
    manifest_path,
    sha256_file,
    write_manifest,
)
from graphkit.export.profiles import PEOPLE_OBJECTS, PROFILES, TARGETS, CrmProfile, crm_profile
from graphkit.export.split import write_csv_parts

__all__ = [
    "GUARDS",
    "PEOPLE_OBJECTS",
    "PROFILES",
    "TARGETS",
    "TRIGGERS",
    "CrmChoices",
    "CrmExport",
    "CrmFile",
    "CrmProfile",
    "GuardReport",
    "build_manifest",
    "crm_keys",
    "crm_profile",
    "crm_tables",
    "file_record",
    "graph_tables",
    "guard_crm",
    "guard_spreadsheet",
    "is_formula",
    "manifest_path",
    "row_roles",
    "sha256_file",
    "unguard_spreadsheet",
    "write_crm",
    "write_csv_parts",
    "write_gephi",
    "write_manifest",
]
