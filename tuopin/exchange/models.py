"""Data exchange: import batches and their problems, provenance of imported households, department
cross-check runs with their rows and hits (flags to verify, never automatic changes).

Every model is scoped by a 12-digit region code column: a batch or run by the operator's jurisdiction
(so a neighbouring village's clerk never sees it: 404), a hit by the household's village.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet


class BatchStatus(models.TextChoices):
    """Where an import batch stands: staged file → validated (preview) → committed, or refused/failed."""

    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("已校验，待确认")
    REFUSED = "refused", _("文件被拒绝")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("导入失败")


class ImportSchema(models.TextChoices):
    """The kinds of file the import takes (see ``exchange.layouts``)."""

    HOUSEHOLDS = "households", _("贫困户登记表")
    CLAIMS = "claims", _("医疗费用结算")
    LOANS = "loans", _("扶贫小额信贷")


class CommitMode(models.TextChoices):
    """All-or-nothing, or only the households without any problem."""

    ALL = "all", _("全部正确才导入")
    VALID_ONLY = "valid_only", _("只导入无错误的户")


class ImportBatch(models.Model):
    """One uploaded file and what became of it; the provenance (source, file hash, operator) of its rows.

    The staged file itself stays under ``MEDIA_ROOT/exchange/`` with a server-made name until commit.
    Validation results are kept as counts, problems (:class:`ImportIssue`) and a masked preview.
    """

    schema = models.CharField(
        _("数据类型"), max_length=32, choices=ImportSchema.choices, default=ImportSchema.HOUSEHOLDS
    )
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    file_hash = models.CharField(_("文件SHA-256"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    file_kind = models.CharField(_("文件类型"), max_length=8, blank=True)
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    region_code = models.CharField(_("操作人管辖区"), max_length=12, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.UPLOADED)
    mode = models.CharField(_("导入方式"), max_length=16, choices=CommitMode.choices, default=CommitMode.ALL)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    notes = models.JSONField(_("读取说明"), default=list, blank=True)
    preview = models.JSONField(_("预览（已脱敏）"), default=list, blank=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    error_count = models.PositiveIntegerField(_("问题数"), default=0)
    error_rows = models.PositiveIntegerField(_("有问题的行"), default=0)
    valid_households = models.PositiveIntegerField(_("无错误的户"), default=0)
    existing_households = models.PositiveIntegerField(_("已登记的户"), default=0)
    created_households = models.PositiveIntegerField(_("新增户"), default=0)
    created_members = models.PositiveIntegerField(_("新增成员"), default=0)
    year_rows = models.PositiveIntegerField(_("新增年度记录"), default=0)
    created_records = models.PositiveIntegerField(_("新增记录"), default=0)  # programme records (claims, loans)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    region_path = "region_code"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file is committed at most once per schema: the database's last word on idempotence.
            models.UniqueConstraint(
                fields=["schema", "file_hash"], condition=Q(status="committed"), name="uniq_committed_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def audit_region_code(self) -> str:
        return self.region_code


class ImportIssue(models.Model):
    """One problem of one cell (or row) of a batch, in Chinese."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    rownum = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=64, blank=True)
    col_index = models.IntegerField(default=-1)
    message = models.CharField(_("问题"), max_length=300)

    class Meta:
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")
        ordering = ["batch", "rownum", "col_index"]

    def __str__(self) -> str:
        return f"{self.rownum}:{self.column} {self.message}"


class ImportedHousehold(models.Model):
    """Provenance: which batch (source, file hash, operator, time) created a household or added its year."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="imported")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="import_provenance")
    created = models.BooleanField(_("新增户"), default=True)
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        verbose_name = _("导入来源")
        verbose_name_plural = _("导入来源")
        indexes = [models.Index(fields=["household", "batch"])]

    def __str__(self) -> str:
        return f"{self.batch_id}→{self.household_id}"


class Department(models.TextChoices):
    """Departments whose lists are matched against the registry (domain.md §2.3)."""

    DEATHS = "deaths", _("公安/民政：死亡、殡葬火化")
    VEHICLES = "vehicles", _("公安交管：车辆登记")
    BUSINESS = "business", _("市场监管：企业法人、股东、个体户")
    PAYROLL = "payroll", _("财政供养人员（公务员、事业编）")
    PROPERTY = "property", _("不动产：商品房购买")
    MEDICAL = "medical", _("医保：参保与大额支出")
    SCHOOL = "school", _("教育：学籍")
    CADRES = "cadres", _("组织部门：村干部名单（含住址）")
    OTHER = "other", _("其他部门")


class HitRule(models.TextChoices):
    """Why a hit was raised."""

    DEPARTMENT = "department", _("部门数据比对")
    SHARED_ACCOUNT = "shared_account", _("多户共用银行账号")
    DUPLICATE_PERSON = "duplicate_person", _("同一人在多户登记")
    SAME_NAME_BIRTH = "same_name_birth", _("姓名和出生日期相同的人在多户在册")
    DECEASED_CURRENT = "deceased_current", _("已死亡仍在册")
    DECEASED_PAID = "deceased_paid", _("死亡后仍有资金发放")
    SPLIT_ENROLMENT = "split_enrolment", _("分户后短期内识别")
    BACKDATED = "backdated", _("倒签补录")
    BULK_INCOME_EDIT = "bulk_income_edit", _("评估前集中修改收入")
    MAKER_CHECKER = "maker_checker", _("制单与审核为同一人")


class Disposition(models.TextChoices):
    """The verification outcome of a hit; only a person sets it, with a reason."""

    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("核实属实")
    DISMISSED = "dismissed", _("核实不属实")


class CrossCheckRun(models.Model):
    """One cross-check: a department's list matched against the visible registry, or an internal check."""

    kind = models.CharField(_("类型"), max_length=16, default="department")  # department | internal
    department = models.CharField(_("部门数据"), max_length=16, choices=Department.choices, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    file_hash = models.CharField(_("文件SHA-256"), max_length=64, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    region_code = models.CharField(_("比对范围"), max_length=12, db_index=True)
    status = models.CharField(_("状态"), max_length=16, default="running")
    message = models.CharField(_("说明"), max_length=500, blank=True)
    rows = models.PositiveIntegerField(_("部门数据行数"), default=0)
    matched_by_id = models.PositiveIntegerField(_("按身份证号命中"), default=0)
    matched_by_name = models.PositiveIntegerField(_("按姓名和出生日期命中"), default=0)
    hits = models.PositiveIntegerField(_("疑点数"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    region_path = "region_code"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据比对")
        verbose_name_plural = _("数据比对")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_department_display() or self.kind} #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region_code


class DepartmentRow(models.Model):
    """A row of a department's list that produced a hit — the evidence for whoever verifies it: keyed
    hash (never the plaintext ID), mask, name, dates, address. Rows that matched nobody are not kept."""

    # Written only by the run's own transaction, in the same statement-set as the run: no row-by-row
    # check of the key at commit (see CrossCheckHit); deleting a run still cascades through the ORM.
    run = models.ForeignKey(
        CrossCheckRun, on_delete=models.CASCADE, related_name="department_rows", db_constraint=False
    )
    rownum = models.PositiveIntegerField()
    id_hash = models.CharField(max_length=64, blank=True)
    id_mask = models.CharField(max_length=18, blank=True)
    name = models.CharField(max_length=64, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    event_date = models.DateField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("部门数据行")

    def __str__(self) -> str:
        return f"{self.run_id}:{self.rownum}"


class CrossCheckHit(models.Model):
    """A flag to verify on a household (and member): never changes the registry by itself.

    A run writes up to a million hits in one ``INSERT … SELECT`` that joins the registry rows it
    names, so the household and member exist by construction: the database does not check those two
    foreign keys again row by row at commit (which would also lock every registry row named). Registry
    rows are never deleted by the application (a household is cancelled, a member removed with a
    reason); the ORM's cascade still applies. The run key is not re-checked either: every hit of a run
    is written by the run itself, in the transaction that saves the run (as ``DepartmentRow.run`` and
    the assessment's ``Determination.run``). Indexes are the ones the pages and rules read.
    """

    run = models.ForeignKey(
        CrossCheckRun, on_delete=models.CASCADE, related_name="hit_rows", db_index=False, db_constraint=False
    )
    rule = models.CharField(_("规则"), max_length=24, choices=HitRule.choices)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="crosscheck_hits", db_constraint=False
    )
    member = models.ForeignKey(
        "registry.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crosscheck_hits",
        db_constraint=False,
    )
    region_code = models.CharField(_("行政村"), max_length=12)
    method = models.CharField(_("匹配方式"), max_length=16, blank=True)  # id | name_birth | address | internal
    confidence = models.DecimalField(_("置信度"), max_digits=3, decimal_places=2, default=1)
    source_rownum = models.PositiveIntegerField(_("部门数据行号"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    disposition = models.CharField(_("核实结果"), max_length=16, choices=Disposition.choices, default=Disposition.OPEN)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    disposed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    reason = models.CharField(_("核实说明"), max_length=500, blank=True)

    region_path = "region_code"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对疑点")
        verbose_name_plural = _("比对疑点")
        ordering = ["run", "region_code", "id"]
        indexes = [
            models.Index(fields=["run", "region_code"]),  # a run's hits inside a jurisdiction
            models.Index(fields=["region_code", "disposition"]),  # the open hits of a jurisdiction
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.household_id}"

    @property
    def audit_region_code(self) -> str:
        return self.region_code
