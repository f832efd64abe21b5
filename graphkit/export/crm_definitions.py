"""What a CRM needs before the first import: the custom properties (HubSpot) or fields
(Salesforce) graphkit's columns go to, and Data Loader's field mappings.

HubSpot
    ``OUT.<object>.properties.json`` is the body of the batch-create request
    (``POST /crm/v3/properties/{objectType}/batch/create``: ``{"inputs": [...]}``, each with
    ``name``, ``label``, ``type``, ``fieldType``, ``groupName`` and ``hasUniqueValue``;
    https://developers.hubspot.com/docs/api-reference/crm-properties-v3/batch/post-crm-v3-properties-objectType-batch-create),
    and ``OUT.property-group.json`` the group's
    (``POST /crm/v3/properties/{objectType}/groups``: ``name``, ``label``, ``displayOrder``;
    https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide). A property's
    ``type`` and ``fieldType`` pair as the guide lists them: string/text, number/number,
    date/date, datetime/date, bool/booleancheckbox (whose options are ``true`` and
    ``false``). The key (``Graphkit ID``, ``Graphkit Company ID``) requires unique values:
    HubSpot deduplicates an import on such a property, and a property cannot be made unique
    after it was created, so it must exist before the first import.

Salesforce
    ``OUT.salesforce-fields.zip`` is a Metadata API package (``package.xml``,
    ``objects/<Object>.object`` holding the ``CustomField`` definitions, and a permission set
    ``Graphkit`` giving read and edit access to them), deployable with ``sf project deploy
    start --metadata-dir`` or Workbench
    (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm).
    The key is a Text(255) field with ``externalId`` and ``unique``; numbers are
    Number(18, 0) or Number(18, 9), dates Date, datetimes DateTime, booleans Checkbox
    (``defaultValue`` false), text longer than 255 characters LongTextArea.
    ``OUT.<object>.sdl`` maps each CSV header to its field for Data Loader (a Java properties
    file ``Header=Field``; ``Account:Graphkit_ID__c`` names a contact's account by its
    External ID).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from xml.etree import ElementTree as ET

from graphkit.errors import ParameterError
from graphkit.export.profiles import CrmProfile

GROUP: Final = {"name": "graphkit", "label": "Graphkit", "displayOrder": -1}
SALESFORCE_OBJECTS: Final = {
    "contacts": "Contact",
    "accounts": "Account",
    "leads": "Lead",
    "campaign-members": "CampaignMember",
}
METADATA_NS: Final = "http://soap.sforce.com/2006/04/metadata"
API_VERSION: Final = "60.0"
TEXT_LENGTH: Final = 255  # Salesforce Text fields hold at most 255 characters
LONG_TEXT_LENGTH: Final = 131_072
NAME_LENGTH: Final = 40  # custom field API names and labels: 40 characters

_HUBSPOT_TYPES: Final = {
    "text": ("string", "text"),
    "integer": ("number", "number"),
    "number": ("number", "number"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
    "boolean": ("bool", "booleancheckbox"),
}


@dataclass(frozen=True)
class Column:
    """One column of an import file, as its definition needs it.

    Attributes
    ----------
    header
        The header in the file.
    kind
        ``text``, ``integer``, ``number``, ``date``, ``datetime`` or ``boolean``.
    longest
        Longest value in characters (text columns).
    key
        The import's external id.
    """

    header: str
    kind: str
    longest: int = 0
    key: bool = False


def custom_columns(profile: CrmProfile, object_name: str, columns: list[Column]) -> list[Column]:
    """The columns graphkit defines: not the target's own fields, not references."""
    standard = profile.standard.get(object_name, {})
    references = profile.references.get(object_name, {})
    return [c for c in columns if c.header not in standard and c.header not in references]


def _ascii(text: str) -> str:
    """Letters without their accents (``Ñ`` -> ``N``): API names take ASCII only."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def hubspot_name(header: str) -> str:
    """HubSpot's internal name of a property: lower case letters, digits and underscores,
    starting with a letter.

    Examples
    --------
    >>> hubspot_name("Graphkit Company ID")
    'graphkit_company_id'
    """
    name = re.sub(r"[^a-z0-9]+", "_", _ascii(header).lower()).strip("_")
    if not name:
        raise ParameterError(
            f"header {header!r} has no ASCII letter or digit to name a property by; "
            "rename it in the mapping file"
        )
    return name if name[0].isalpha() else f"p_{name}"


def hubspot_properties(
    profile: CrmProfile, object_name: str, columns: list[Column]
) -> dict[str, list[dict[str, object]]]:
    """The batch-create body of an object's custom properties."""
    inputs: list[dict[str, object]] = []
    names: dict[str, str] = {}
    for order, column in enumerate(custom_columns(profile, object_name, columns)):
        name = hubspot_name(column.header)
        if name in names:
            raise ParameterError(
                f"headers {names[name]!r} and {column.header!r} make one HubSpot property "
                f"name {name!r}; rename one in the mapping file"
            )
        names[name] = column.header
        kind, field_type = _HUBSPOT_TYPES[column.kind]
        spec: dict[str, object] = {
            "name": name,
            "label": column.header,
            "type": kind,
            "fieldType": field_type,
            "groupName": GROUP["name"],
            "hasUniqueValue": column.key,
            "displayOrder": order,
            "formField": False,
        }
        if column.key:
            spec["description"] = "graphkit's stable id: imports update the record holding it"
        if column.kind == "boolean":
            spec["options"] = [
                {"label": "Yes", "value": profile.true, "displayOrder": 0, "hidden": False},
                {"label": "No", "value": profile.false, "displayOrder": 1, "hidden": False},
            ]
        inputs.append(spec)
    return {"inputs": inputs}


def json_text(body: object) -> str:
    """JSON as graphkit writes definition files: indented, keys in the order given."""
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def salesforce_name(header: str) -> str:
    """The API name of a custom field: letters, digits and single underscores, starting
    with a letter, at most 40 characters, then ``__c``.

    Examples
    --------
    >>> salesforce_name("Graphkit PageRank")
    'Graphkit_PageRank__c'
    """
    name = re.sub(r"[^A-Za-z0-9]+", "_", _ascii(header)).strip("_")
    if not name:
        raise ParameterError(
            f"header {header!r} has no ASCII letter or digit to name a field by; "
            "rename it in the mapping file"
        )
    if not name[0].isalpha():
        name = f"X{name}"
    return name[:NAME_LENGTH].rstrip("_") + "__c"


def salesforce_fields(
    profile: CrmProfile, object_name: str, columns: list[Column]
) -> list[tuple[str, Column]]:
    """API name and column of each custom field of an object."""
    fields: list[tuple[str, Column]] = []
    seen: dict[str, str] = {}
    for column in custom_columns(profile, object_name, columns):
        name = salesforce_name(column.header)
        if name in seen:
            raise ParameterError(
                f"headers {seen[name]!r} and {column.header!r} make one Salesforce field "
                f"{name!r}; rename one in the mapping file"
            )
        seen[name] = column.header
        fields.append((name, column))
    return fields


def salesforce_package(profile: CrmProfile, objects: Mapping[str, list[Column]]) -> bytes:
    """A Metadata API zip defining every custom field of ``objects`` and a permission set."""
    members: list[str] = []
    permissions = ET.Element("PermissionSet", xmlns=METADATA_NS)
    _text(permissions, "description", "Read and edit the fields graphkit's imports fill")
    _text(permissions, "label", "Graphkit")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
        for object_name, columns in objects.items():
            api_object = SALESFORCE_OBJECTS[object_name]
            root = ET.Element("CustomObject", xmlns=METADATA_NS)
            for name, column in salesforce_fields(profile, object_name, columns):
                root.append(_field(name, column))
                members.append(f"{api_object}.{name}")
                permission = ET.SubElement(permissions, "fieldPermissions")
                _text(permission, "editable", "true")
                _text(permission, "field", f"{api_object}.{name}")
                _text(permission, "readable", "true")
            _write_xml(package, f"objects/{api_object}.object", root)
        _write_xml(package, "permissionsets/Graphkit.permissionset", permissions)
        manifest = ET.Element("Package", xmlns=METADATA_NS)
        for type_name, names in (("CustomField", sorted(members)), ("PermissionSet", ["Graphkit"])):
            types = ET.SubElement(manifest, "types")
            for member in names:
                _text(types, "members", member)
            _text(types, "name", type_name)
        _text(manifest, "version", API_VERSION)
        _write_xml(package, "package.xml", manifest)
    return archive.getvalue()


def _field(name: str, column: Column) -> ET.Element:
    field = ET.Element("fields")
    _text(field, "fullName", name)
    # XML 1.0 cannot hold control characters: a header's become blanks in its label.
    label = "".join(c if c.isprintable() else " " for c in column.header)
    _text(field, "label", label[:NAME_LENGTH].strip() or name)
    _text(field, "required", "false")
    if column.key:
        _text(field, "externalId", "true")
        _text(field, "unique", "true")
        _text(field, "caseSensitive", "true")  # graphkit's ids differ by case
    if column.kind in ("integer", "number"):
        _text(field, "type", "Number")
        _text(field, "precision", "18")
        _text(field, "scale", "0" if column.kind == "integer" else "9")
    elif column.kind == "date":
        _text(field, "type", "Date")
    elif column.kind == "datetime":
        _text(field, "type", "DateTime")
    elif column.kind == "boolean":
        _text(field, "type", "Checkbox")
        _text(field, "defaultValue", "false")
    elif column.longest > TEXT_LENGTH and not column.key:
        _text(field, "type", "LongTextArea")
        _text(field, "length", str(LONG_TEXT_LENGTH))
        _text(field, "visibleLines", "3")
    else:
        _text(field, "type", "Text")
        _text(field, "length", str(TEXT_LENGTH))
    return field


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _write_xml(package: zipfile.ZipFile, name: str, root: ET.Element) -> None:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    # A fixed time: the same export gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix on every platform, and rw-r--r--: the same bytes everywhere
    info.external_attr = 0o644 << 16
    package.writestr(info, '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")


def data_loader_mapping(
    profile: CrmProfile, object_name: str, headers: list[str], *, title: str = ""
) -> str:
    """Data Loader's field mapping (``.sdl``) of an object's file: ``Header=Field`` lines.

    Standard fields keep their API names, custom ones get :func:`salesforce_name`, and a
    reference to another object's record names that object's External ID field
    (``Account:Graphkit_ID__c``). Headers without a field (a contact's ``Account Name``)
    are left out.

    Examples
    --------
    >>> from graphkit.export.profiles import crm_profile
    >>> print(data_loader_mapping(crm_profile("salesforce"), "contacts",
    ...                           ["Graphkit ID", "Last Name", "Graphkit Account ID"]), end="")
    Graphkit\\ ID=Graphkit_ID__c
    Last\\ Name=LastName
    Graphkit\\ Account\\ ID=Account\\:Graphkit_ID__c
    """
    standard = profile.standard.get(object_name, {})
    references = profile.references.get(object_name, {})
    # A comment ends at a line break: one in the title (a file name) would start a mapping.
    lines = [f"# {''.join(c if c.isprintable() else '?' for c in title)}"] if title else []
    for header in headers:
        if header in references:
            target, relationship = references[header]
            key_header = profile.header_for(target, "id") or header
            field = f"{relationship}:{salesforce_name(key_header)}"
        elif header in standard:
            field = standard[header]
            if not field:
                continue  # the Data Import Wizard's account match; Data Loader uses the id
        else:
            field = salesforce_name(header)
        lines.append(f"{_property_escape(header)}={_property_escape(field)}")
    return "\n".join(lines) + "\n"


def campaign_mapping(profile: CrmProfile, people_object: str, key_header: str) -> str:
    """Data Loader's mapping of the campaign-members file."""
    relationship = "Lead" if people_object == "leads" else "Contact"
    field = f"{relationship}:{salesforce_name(key_header)}"
    return f"CampaignId=CampaignId\n{_property_escape(key_header)}={_property_escape(field)}\n"


def _property_escape(text: str) -> str:
    """Text as a Java properties file writes it (ISO 8859-1, other characters as \\uXXXX)."""
    out = []
    for character in text:
        if character in " :=#!\\":
            out.append("\\" + character)
        elif character == "\t":
            out.append("\\t")
        elif ord(character) < 0x20 or ord(character) > 0x7E:
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(character))
        else:
            out.append(character)
    return "".join(out)


def _utf16_units(character: str) -> list[int]:
    data = character.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
