"""Serializers of the registry API: explicit fields, masks only, and input shapes for the actions.

Output serializers never name ``id_enc``, ``id_hash`` or any ``*_enc`` field: the ID number leaves
as its precomputed mask (``220422********1234``), phone and bank account as theirs. The labelled
fields of ``accounts.roles.FIELD_CAPABILITIES`` — ``birth_date`` (beside the mask it gives the whole
number away), ``disability_category``/``disability_grade`` and ``bank_account_mask`` — are nulled for
roles without their capability as the response is rendered (``core.api.FieldRulesJSONRenderer``), in
audit ``changes`` as much as in the fields themselves. Every role gets ``age`` and the health status.

Input serializers check types and code lists, refuse unknown keys (:class:`StrictInputMixin`), and
never save: the views hand ``validated_data`` to ``registry.actions``, which check jurisdiction,
validate the domain rules and write the audit row (see :class:`ActionInputMixin`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tuopin.core.api import StrictInputMixin
from tuopin.core.idnumber import mask_id
from tuopin.core.masking import PII_PATTERNS
from tuopin.core.models import AuditEvent

from .. import choices as c
from ..models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear
from ..validation import HOUSEHOLD_YEAR_FIELDS, MEMBER_YEAR_FIELDS

MEMBER_CHOICE_LABEL = {"relation": c.Relation, "ethnicity": c.Ethnicity, "gender": c.Gender}


class ActionInputMixin:
    """Input serializers are parsers only: every write goes through ``registry.actions``."""

    def create(self, validated_data):  # pragma: no cover - guard against a future shortcut
        raise NotImplementedError("registry writes go through registry.actions")

    def update(self, instance, validated_data):  # pragma: no cover - guard against a future shortcut
        raise NotImplementedError("registry writes go through registry.actions")


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class MemberYearSerializer(serializers.ModelSerializer):
    """A member's facts for one year (disability detail withheld by role, see the module docstring)."""

    class Meta:
        model = MemberYear
        fields = ["year", *MEMBER_YEAR_FIELDS]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """A member in lists: identity with the ID number masked; birth date only for plaintext roles."""

    household_number = serializers.CharField(source="household.number", read_only=True)
    relation_label = serializers.CharField(source="get_relation_display", read_only=True)
    gender_label = serializers.CharField(source="get_gender_display", read_only=True)
    ethnicity_label = serializers.CharField(source="get_ethnicity_display", read_only=True)
    birth_date = serializers.DateField(read_only=True, help_text="出生日期；仅对有权查看完整身份证号的角色返回。")
    age = serializers.SerializerMethodField(help_text="周岁（按今日计算）")

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "household_number",
            "name",
            "id_mask",
            "gender",
            "gender_label",
            "birth_date",
            "age",
            "relation",
            "relation_label",
            "ethnicity",
            "ethnicity_label",
            "is_current",
            "deceased_on",
            "moved_out_on",
        ]
        read_only_fields = fields

    def get_age(self, obj: Member) -> int:
        today = dt.date.today()
        born = obj.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class MemberDetailSerializer(MemberSerializer):
    """A member with every year's facts."""

    years = serializers.SerializerMethodField()

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "years"]
        read_only_fields = fields

    @extend_schema_field(MemberYearSerializer(many=True))
    def get_years(self, obj: Member) -> list[dict[str, Any]]:
        # Sorted in Python over the prefetched rows, so the detail costs no extra query per member.
        rows = sorted(obj.years.all(), key=lambda row: row.year)
        return MemberYearSerializer(rows, many=True, context=self.context).data


class HouseholdYearSerializer(serializers.ModelSerializer):
    """A household's facts for one year, with the computed net income per capita."""

    total_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = HouseholdYear
        fields = ["year", "size", *HOUSEHOLD_YEAR_FIELDS, "total_income", "net_income", "net_income_per_capita"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    """One step of a household's status history."""

    class Meta:
        model = HouseholdStatusChange
        fields = ["year", "date", "from_status", "to_status", "reason", "actor_name"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    """A household in lists: header fields, status, and masked contacts."""

    village_name = serializers.CharField(source="village.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    main_cause_label = serializers.CharField(source="get_main_cause_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    other_causes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "village",
            "village_name",
            "group",
            "address",
            "head_name",
            "member_count",
            "identification_year",
            "identification_standard",
            "category",
            "category_label",
            "main_cause",
            "main_cause_label",
            "other_causes",
            "status",
            "status_label",
            "status_year",
            "phone_mask",
            "bank_name",
            "bank_account_mask",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    """A household with its members (current and former), yearly facts and status history."""

    members = MemberDetailSerializer(many=True, read_only=True)
    years = HouseholdYearSerializer(many=True, read_only=True)
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members", "years", "status_changes"]
        read_only_fields = fields


def _mask_ids(value: Any) -> Any:
    """Mask anything shaped like an ID number in free text (a reason a user typed, say)."""
    if isinstance(value, dict):
        return {k: _mask_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_ids(v) for v in value]
    if isinstance(value, str):
        return PII_PATTERNS["id"].sub(lambda m: mask_id(m.group()), value)
    return value


class AuditEventSerializer(serializers.ModelSerializer):
    """An audit row of a household or one of its members, as its viewers may read it.

    The stored ``changes`` are masked already; labelled fields in them (the birth date, disability
    detail, account masks) are withheld by role like any other field, and any ID-shaped text a user
    typed into a reason is masked.
    """

    changes = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["seq", "at", "actor_name", "actor_role", "action", "object_type", "object_id", "summary", "changes"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, obj: AuditEvent) -> dict[str, Any]:
        return _mask_ids(obj.changes or {})

    def get_summary(self, obj: AuditEvent) -> str:
        return _mask_ids(obj.summary or "")


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------

YEAR_FIELD = {"min_value": 2013, "max_value": 2100}


class MemberYearInputSerializer(ActionInputMixin, StrictInputMixin, serializers.ModelSerializer):
    """Optional yearly member facts (schooling, health, labour, work, insurance)."""

    class Meta:
        model = MemberYear
        fields = list(MEMBER_YEAR_FIELDS)
        extra_kwargs = {name: {"required": False} for name in MEMBER_YEAR_FIELDS}


class MemberInputSerializer(MemberYearInputSerializer):
    """A member to register: identity (the ID number is write-only) and optional yearly facts."""

    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=32, write_only=True, help_text="公民身份号码（18位，旧15位自动升位）")
    relation = serializers.ChoiceField(choices=c.Relation.choices)
    ethnicity = serializers.ChoiceField(choices=c.Ethnicity.choices, required=False)
    gender = serializers.ChoiceField(choices=c.Gender.choices, required=False, help_text="与身份证号交叉核验")
    birth_date = serializers.DateField(required=False, help_text="与身份证号交叉核验")

    class Meta(MemberYearInputSerializer.Meta):
        fields = ["name", "id_number", "relation", "ethnicity", "gender", "birth_date", *MEMBER_YEAR_FIELDS]


class _HouseholdHeaderInput(ActionInputMixin, StrictInputMixin, serializers.Serializer):
    """Header fields shared by create and update (A1–A3 and contacts)."""

    group = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    identification_year = serializers.IntegerField(**YEAR_FIELD)
    identification_standard = serializers.ChoiceField(choices=c.IdentificationStandard.choices, required=False)
    category = serializers.ChoiceField(choices=c.HouseholdCategory.choices, required=False)
    main_cause = serializers.ChoiceField(choices=c.PovertyCause.choices)
    other_causes = serializers.ListField(
        child=serializers.ChoiceField(choices=c.PovertyCause.choices), required=False, max_length=2
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True)
    bank_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=32, required=False, allow_blank=True, write_only=True)


class HouseholdCreateSerializer(_HouseholdHeaderInput):
    """Register a household with its members (exactly one head) and its first year."""

    village = serializers.RegexField(r"^\d{12}$", help_text="行政村12位区划代码")
    year = serializers.IntegerField(required=False, help_text="首个年度（默认为识别年度）", **YEAR_FIELD)
    members = MemberInputSerializer(many=True)


class HouseholdUpdateSerializer(_HouseholdHeaderInput):
    """Edit header fields of a household; ``version`` is the version the client edited."""

    version = serializers.IntegerField(min_value=1, help_text="客户端所编辑的版本号（乐观锁），来自详情中的 version")
    identification_year = serializers.IntegerField(required=False, **YEAR_FIELD)
    main_cause = serializers.ChoiceField(choices=c.PovertyCause.choices, required=False)


class StatusChangeInputSerializer(ActionInputMixin, StrictInputMixin, serializers.Serializer):
    """Move a household along its status history."""

    to_status = serializers.ChoiceField(choices=c.HouseholdStatus.choices)
    year = serializers.IntegerField(**YEAR_FIELD)
    reason = serializers.CharField(max_length=200)
    date = serializers.DateField(required=False)


class HouseholdYearInputSerializer(ActionInputMixin, StrictInputMixin, serializers.ModelSerializer):
    """A year's household facts (upsert); net income and its per-capita value are computed."""

    year = serializers.IntegerField(**YEAR_FIELD)

    class Meta:
        model = HouseholdYear
        fields = ["year", "size", *HOUSEHOLD_YEAR_FIELDS]
        extra_kwargs = {name: {"required": False} for name in ["size", *HOUSEHOLD_YEAR_FIELDS]}
        validators: list = []  # (household, year) is an upsert key here, not a uniqueness rule


class MemberCreateSerializer(MemberInputSerializer):
    """Add a member to a household the caller can see, with that year's facts."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    year = serializers.IntegerField(**YEAR_FIELD)

    class Meta(MemberInputSerializer.Meta):
        fields = ["household", "year", *MemberInputSerializer.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only visible households resolve: an invisible id reads exactly like a missing one.
        self.fields["household"].queryset = Household.objects.visible_to(getattr(request, "user", None))


class MemberUpdateSerializer(MemberInputSerializer):
    """Correct a member's identity and/or set a year's facts (``year`` required with facts)."""

    name = serializers.CharField(max_length=64, required=False)
    id_number = serializers.CharField(max_length=32, write_only=True, required=False)
    relation = serializers.ChoiceField(choices=c.Relation.choices, required=False)
    year = serializers.IntegerField(required=False, help_text="填写年度信息时必填", **YEAR_FIELD)

    class Meta(MemberInputSerializer.Meta):
        fields = ["year", *MemberInputSerializer.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "year" not in attrs and any(name in attrs for name in MEMBER_YEAR_FIELDS):
            raise serializers.ValidationError({"year": [_("填写年度信息时请同时填写年度。")]})
        return attrs


class MemberRemoveSerializer(ActionInputMixin, StrictInputMixin, serializers.Serializer):
    """Mark a member deceased or moved out."""

    reason = serializers.ChoiceField(choices=[("deceased", "死亡"), ("moved_out", "迁出")])
    date = serializers.DateField()


class RevealInputSerializer(ActionInputMixin, StrictInputMixin, serializers.Serializer):
    """Why the caller needs the full ID number (recorded in the audit trail)."""

    reason = serializers.CharField(max_length=200)


class RevealResultSerializer(serializers.Serializer):
    """The plaintext ID number: the only response that ever carries one."""

    id_number = serializers.CharField()
